/**
 * Caps that keep validation safe and its memory bounded whatever users upload. Each is the
 * largest value accepted; past it the dataset is `invalid` with an error naming the cap.
 */
export interface Limits {
  /** Entries in a zip (files and folders). */
  readonly zipEntries: number;
  /** Sum of the uncompressed sizes of a zip's entries. */
  readonly zipTotalBytes: number;
  /** Uncompressed / compressed size of one entry, and of the whole archive (zip bombs). */
  readonly zipRatio: number;
  /** Bytes of one image file. */
  readonly imageBytes: number;
  /** Pixels (width × height) an image header may declare; checked before decoding. */
  readonly imagePixels: number;
  /** Characters on one line of CSV or JSONL. */
  readonly lineChars: number;
  /** CSV columns. */
  readonly columns: number;
  /** Issues of one kind listed in a report before they are only counted. */
  readonly issuesPerCode: number;
  /** Bytes per normalized shard written for training. */
  readonly shardBytes: number;
}

/** The limits validation applies unless a caller passes its own (tests shrink them). */
export const defaultLimits: Limits = {
  zipEntries: 500_000,
  zipTotalBytes: 20 * 1024 ** 3,
  zipRatio: 200,
  imageBytes: 32 * 1024 ** 2,
  imagePixels: 40_000_000,
  lineChars: 1024 ** 2,
  columns: 2_000,
  issuesPerCode: 20,
  shardBytes: 16 * 1024 ** 2,
};
