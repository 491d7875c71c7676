import { formatFloat } from "~/lib/format";

/**
 * A rep-v1 score with its Wilson interval (the score is 1000 × the lower bound × the slash factor). Without any
 * verdict (successRate null: N = 0) there is nothing to score: "no data", not "0 [0, 1]".
 */
export function ScoreCell({
  reputation,
}: {
  reputation: {
    score: number;
    lowerBound: number;
    upperBound: number;
    provisional: boolean;
    successRate?: number | null;
  };
}) {
  const { score, lowerBound, upperBound, provisional } = reputation;
  if (reputation.successRate === null) {
    return (
      <span className="score-cell">
        <span
          className="score no-data"
          title="No verdicts yet: rep-v1 gives 0 with the interval [0, 1] until one"
        >
          no data
        </span>
      </span>
    );
  }
  return (
    <span className="score-cell">
      <span className="score">{score}</span>{" "}
      <span className="interval" title="Wilson 95% interval of the decayed success rate">
        [{formatFloat(lowerBound, 3)}, {formatFloat(upperBound, 3)}]
      </span>{" "}
      {provisional ? (
        <span className="badge provisional" title="Fewer than 10 effective samples">
          provisional
        </span>
      ) : null}
    </span>
  );
}
