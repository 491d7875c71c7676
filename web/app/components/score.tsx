import { formatFloat } from "~/lib/format";

/** A rep-v1 score with its Wilson interval (the score is 1000 × the lower bound × the slash factor). */
export function ScoreCell({
  reputation,
}: {
  reputation: { score: number; lowerBound: number; upperBound: number; provisional: boolean };
}) {
  const { score, lowerBound, upperBound, provisional } = reputation;
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
