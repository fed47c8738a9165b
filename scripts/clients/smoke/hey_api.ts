// Uses the @hey-api/openapi-ts SDK as a consumer would; tsc --strict proves the types carry it.
// It types 3XX answers as neither data nor error, so a 304 is read off the response first.
import { client } from './client.gen';
import { getPost, listPosts, updatePost } from './sdk.gen';
import type { ApiError, ErrorCode } from './types.gen';

client.setConfig({ baseUrl: 'http://127.0.0.1:8000', auth: () => 'token' });

export async function readTitle(postId: string, etag: string): Promise<string | ErrorCode | null> {
  const result = await getPost({ path: { postId }, headers: { 'If-None-Match': etag } });
  if (result.response.status === 304) return result.response.headers.get('ETag');
  if (result.error) return result.error.error.code;
  const none: ApiError | null = result.data.error;
  return none === null ? result.data.data.title : none.code;
}

export async function rename(postId: string, etag: string, title: string): Promise<string | null> {
  const result = await updatePost({
    path: { postId },
    headers: { 'If-Match': etag },
    body: { title },
  });
  return result.data ? result.data.data.slug : result.response.headers.get('Retry-After');
}

export async function nextCursor(): Promise<string | null | undefined> {
  const result = await listPosts({ query: { limit: 20 } });
  return result.data?.meta.nextCursor;
}
