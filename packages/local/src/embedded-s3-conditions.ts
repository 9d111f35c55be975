import type { IncomingMessage, ServerResponse } from 'node:http';

/** The current ETag of an object (quoted, as in HTTP), or `undefined` when there is none. */
export type EtagOf = (bucket: string, key: string) => Promise<string | undefined>;

/** An S3 error answer: `status` and `code` as S3 sends them. */
export interface ConditionFailure {
  readonly status: 404 | 412;
  readonly code: 'NoSuchKey' | 'PreconditionFailed';
  readonly message: string;
}

/**
 * Conditional writes for the embedded store. s3rver ignores `If-Match` and `If-None-Match` on
 * PUT; S3 honours them since 2024 (docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html):
 * `If-None-Match: *` fails with 412 PreconditionFailed when the object exists, `If-Match: <etag>`
 * with 412 when the object has another ETag and 404 NoSuchKey when there is none.
 *
 * Every write of a key (PUT, POST, DELETE) waits for the previous write of that key to be
 * answered, so a condition and the write it guards cannot interleave with another write: the
 * check-then-write is atomic, as on S3. A read (GET, HEAD) of a key being written waits for that
 * write to be answered, as s3rver writes the object's file in place: read during the write, a
 * small JSON object was seen empty. Reads never hold writes or other reads.
 */
export class ConditionalWrites {
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly etagOf: EtagOf) {}

  /**
   * Runs `pass` (s3rver's handler) for the request once earlier writes of its key have been
   * answered and its conditions hold; otherwise answers `fail` with why, without writing.
   */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    pass: () => void,
    fail: (failure: ConditionFailure) => void,
  ): void {
    const object = objectOf(req);
    if (object === undefined) {
      pass();
      return;
    }
    const key = `${object.bucket}/${object.key}`;
    if (req.method === 'GET' || req.method === 'HEAD') {
      const writing = this.tails.get(key);
      if (writing) void writing.then(pass, pass);
      else pass();
      return;
    }
    const before = this.tails.get(key) ?? Promise.resolve();
    const answered = new Promise<void>((resolve) => res.once('close', () => resolve()));
    const tail = before.then(() => answered);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    void before
      .then(() => this.check(req, object))
      .then(
        (failure) => (failure ? fail(failure) : pass()),
        () => pass(),
      );
  }

  private async check(
    req: IncomingMessage,
    object: { bucket: string; key: string },
  ): Promise<ConditionFailure | undefined> {
    if (req.method !== 'PUT') return undefined;
    const ifMatch = req.headers['if-match'];
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifMatch === undefined && ifNoneMatch === undefined) return undefined;
    const etag = await this.etagOf(object.bucket, object.key);
    if (ifNoneMatch !== undefined && ifNoneMatch.trim() === '*' && etag !== undefined) {
      return {
        status: 412,
        code: 'PreconditionFailed',
        message: 'At least one of the pre-conditions you specified did not hold',
      };
    }
    if (ifMatch !== undefined) {
      if (etag === undefined) {
        return { status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' };
      }
      if (ifMatch.trim() !== '*' && ifMatch.trim() !== etag) {
        return {
          status: 412,
          code: 'PreconditionFailed',
          message: 'At least one of the pre-conditions you specified did not hold',
        };
      }
    }
    return undefined;
  }
}

/** The bucket and object key of a path-style request (`/<bucket>/<key>`), if it names an object. */
function objectOf(req: IncomingMessage): { bucket: string; key: string } | undefined {
  const path = new URL(req.url ?? '/', 'http://embedded').pathname;
  const slash = path.indexOf('/', 1);
  if (slash < 0 || slash === path.length - 1) return undefined;
  try {
    return {
      bucket: decodeURIComponent(path.slice(1, slash)),
      key: decodeURIComponent(path.slice(slash + 1)),
    };
  } catch {
    return undefined;
  }
}
