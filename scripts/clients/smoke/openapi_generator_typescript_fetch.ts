// Uses openapi-generator's typescript-fetch client as a consumer would; tsc --strict proves the
// types carry it. It throws ResponseError on every non-2xx answer, a 304 included.
import {
  Configuration,
  ErrorEnvelopeFromJSON,
  PostsApi,
  ResponseError,
  type ApiError,
  type ErrorCode,
} from './src';

const posts = new PostsApi(
  new Configuration({ basePath: 'http://127.0.0.1:8000', accessToken: async () => 'token' }),
);

export async function readTitle(postId: string, etag: string): Promise<string | ErrorCode | null> {
  try {
    const envelope = await posts.getPost({ postId, ifNoneMatch: etag });
    const none: ApiError | null = envelope.error;
    return none === null ? envelope.data.title : none.code;
  } catch (error) {
    if (!(error instanceof ResponseError)) throw error;
    if (error.response.status === 304) return error.response.headers.get('ETag');
    return ErrorEnvelopeFromJSON(await error.response.json()).error.code;
  }
}

export async function rename(postId: string, etag: string, title: string): Promise<string> {
  const envelope = await posts.updatePost({ postId, ifMatch: etag, postUpdate: { title } });
  return envelope.data.slug;
}

export async function nextCursor(): Promise<string | null> {
  return (await posts.listPosts({ limit: 20 })).meta.nextCursor;
}
