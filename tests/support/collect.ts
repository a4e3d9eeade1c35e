/** Every item of an asynchronous iterable (a paged reader's entries), in order, as one array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const collected: T[] = []
  for await (const item of items) collected.push(item)
  return collected
}
