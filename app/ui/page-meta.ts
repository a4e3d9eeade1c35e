import type { MetaFunction } from '@remix-run/node'

/** Route `meta` for loaders that return `{ meta: { title, description } }`. */
export const pageMeta: MetaFunction<() => Promise<{ meta: { title: string; description: string } }>> = ({
  data,
}) => (data ? [{ title: data.meta.title }, { name: 'description', content: data.meta.description }] : [])
