// Uses the orval client as a consumer would; tsc --strict proves the types carry it.
import { configure } from './http';
import { getPost, listPosts, updatePost, type ApiError, type ErrorCode } from './blog';

configure({ baseUrl: 'http://127.0.0.1:8000', token: 'token' });

export async function readTitle(postId: string, etag: string): Promise<string | ErrorCode | null> {
  const answer = await getPost(postId, { 'If-None-Match': etag });
  switch (answer.status) {
    case 200: {
      const none: ApiError | null = answer.data.error;
      return none === null ? answer.data.data.title : none.code;
    }
    case 304:
      return answer.headers.get('ETag');
    default:
      return answer.data.error.code;
  }
}

export async function rename(postId: string, etag: string, title: string): Promise<string | null> {
  const answer = await updatePost(postId, { title }, { 'If-Match': etag });
  return answer.status === 200 ? answer.data.data.slug : answer.headers.get('Retry-After');
}

export async function nextCursor(): Promise<string | null | undefined> {
  const page = await listPosts({ limit: 20 });
  return page.status === 200 ? page.data.meta.nextCursor : undefined;
}
