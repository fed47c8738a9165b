// Uses openapi-typescript's types through openapi-fetch as a consumer would; tsc --strict proves
// that openapi-fetch's Readable<> keeps every envelope member.
import createClient from 'openapi-fetch';
import type { components, paths } from './schema';

type ApiError = components['schemas']['ApiError'];
type ErrorCode = components['schemas']['ErrorCode'];

const client = createClient<paths>({
  baseUrl: 'http://127.0.0.1:8000',
  headers: { Authorization: 'Bearer token' },
});

export async function readTitle(postId: string, etag: string): Promise<string | ErrorCode | null> {
  const { data, error, response } = await client.GET('/v1/posts/{postId}', {
    params: { path: { postId }, header: { 'If-None-Match': etag } },
  });
  if (response.status === 304) return response.headers.get('ETag');
  if (error) {
    const always: unknown = error.data;
    return always === null ? error.error.code : null;
  }
  const none: ApiError | null = data.error;
  return none === null ? data.data.title : none.code;
}

export async function rename(postId: string, etag: string, title: string): Promise<string | null> {
  const { data, response } = await client.PATCH('/v1/posts/{postId}', {
    params: { path: { postId }, header: { 'If-Match': etag } },
    body: { title },
  });
  return data ? data.data.slug : response.headers.get('Retry-After');
}

export async function nextCursor(): Promise<string | null | undefined> {
  const { data } = await client.GET('/v1/posts', { params: { query: { limit: 20 } } });
  return data?.meta.nextCursor;
}
