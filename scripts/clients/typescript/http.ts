// The fetch that every generated function of the shipped client goes through (orval's mutator):
// the base URL and the bearer token are set once with configure(). It never throws on a status:
// the answer is { status, data, headers }, so a 304 is a value like any other.
export interface ClientOptions {
  baseUrl: string;
  token?: string;
}

let options: ClientOptions = { baseUrl: '' };

export function configure(next: ClientOptions): void {
  options = { ...next, baseUrl: next.baseUrl.replace(/\/+$/, '') };
}

export async function http<T>(url: string, init: RequestInit): Promise<T> {
  const headers = new Headers(init.headers);
  if (options.token !== undefined) headers.set('Authorization', `Bearer ${options.token}`);
  const response = await fetch(`${options.baseUrl}${url}`, { ...init, headers });
  const text = [204, 205, 304].includes(response.status) ? '' : await response.text();
  // Every answer is JSON but the feed's and the sitemap's XML documents, which stay text.
  const json = /[/+]json\b/i.test(response.headers.get('Content-Type') ?? '');
  const data: unknown = !text ? undefined : json ? JSON.parse(text) : text;
  return { status: response.status, data, headers: response.headers } as T;
}
