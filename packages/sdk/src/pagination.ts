import type { ListPage, ListParams } from './types';

/**
 * A list call. `await` it for the first page (`{data, has_more, last_id}`), or `for await` it
 * for every item across pages: each next page is fetched with `after` = the previous `last_id`
 * while `has_more` is true.
 */
export class PageIterator<T> implements AsyncIterable<T>, PromiseLike<ListPage<T>> {
  constructor(
    private readonly fetchPage: (params: ListParams) => Promise<ListPage<T>>,
    private readonly params: ListParams = {},
  ) {}

  /** The first page. */
  // biome-ignore lint/suspicious/noThenProperty: a list call is awaitable for its first page
  then<A = ListPage<T>, B = never>(
    onfulfilled?: ((value: ListPage<T>) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.fetchPage(this.params).then(onfulfilled, onrejected);
  }

  /** Each page in turn, from the first. */
  async *pages(): AsyncGenerator<ListPage<T>> {
    let params = this.params;
    for (;;) {
      const page = await this.fetchPage(params);
      yield page;
      if (!page.has_more || !page.last_id) return;
      params = { ...params, after: page.last_id };
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for await (const page of this.pages()) yield* page.data;
  }

  /** Every item of every page, in one array (mind large lists). */
  async toArray(): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this) items.push(item);
    return items;
  }
}
