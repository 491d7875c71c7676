import { Entity, IntColumn, PrimaryColumn, StringColumn } from "@subsquid/typeorm-store";

/** One log as fetched: what the bare squid stores, with no decoding at all. */
@Entity()
export class RawLog {
  constructor(props?: Partial<RawLog>) {
    Object.assign(this, props);
  }

  /** The processor's log id (block, log index, block hash prefix). */
  @PrimaryColumn()
  id!: string;

  @IntColumn({ nullable: false })
  block!: number;

  @StringColumn({ nullable: false })
  tx!: string;

  @IntColumn({ nullable: false })
  logIndex!: number;

  @StringColumn({ nullable: false })
  address!: string;

  @StringColumn({ nullable: true })
  topic0!: string | null;

  @StringColumn({ nullable: false })
  data!: string;
}
