// Page-side helpers of the Echo e2e tests (a browser module, loaded as `window.E` by
// tests/support/echo-env.mjs): minimal stand-ins for the HTTP libraries laravel-echo registers
// its X-Socket-Id interceptors on. None of axios, jQuery, vue-resource or Turbo is installed (and
// no npm dependency may be added), so these implement exactly the surface laravel-echo touches
// (and that those libraries document), and send the request for real, so the app server sees
// the headers:
//   axios       a function with `interceptors.request.use(fn)`, `post`, `create()`; request
//               interceptors run last-registered first, as in axios, on a config whose
//               `headers` is a plain object, then `fetch`
//   jQuery      a function with `ajax(options)` and `ajaxPrefilter(fn)`; prefilters get
//               `(options, originalOptions, jqXHR)`, jqXHR's `setRequestHeader` goes to a real
//               XMLHttpRequest
//   Vue.http    vue-resource: `Vue.http.interceptors` (functions `(request, next)`), `post`;
//               `request.headers` is a Headers-like object with `set`/`has`
//   Turbo       an object; `turboFetch(url, options)` dispatches `turbo:before-fetch-request`
//               with `detail.url` and `detail.fetchOptions` (headers a plain object) and sends

const json = async (response) => ({ status: response.status, body: await response.json().catch(() => null) });

export function fakeAxios(defaults = {}) {
  const handlers = [];
  const instance = function axios(config) {
    return instance.request(config);
  };
  instance.defaults = { headers: {}, ...defaults };
  instance.interceptors = {
    request: {
      handlers,
      use(fulfilled) {
        handlers.push(fulfilled);
        return handlers.length - 1;
      },
      eject(id) {
        handlers[id] = null;
      },
    },
  };
  instance.request = async (config) => {
    config = { method: 'get', ...config, headers: { ...instance.defaults.headers, ...config.headers } };
    if (instance.defaults.baseURL && config.baseURL === undefined) config.baseURL = instance.defaults.baseURL;
    // axios runs request interceptors in reverse order of registration.
    for (const fn of handlers.slice().reverse()) if (fn) config = await fn(config);
    // axios's combineURLs, for a relative url.
    const url =
      config.baseURL && !/^https?:/.test(config.url)
        ? config.baseURL.replace(/\/+$/, '') + '/' + config.url.replace(/^\/+/, '')
        : config.url;
    const headers = { ...config.headers };
    const init = { method: config.method.toUpperCase(), headers };
    if (config.data !== undefined) {
      init.body = JSON.stringify(config.data);
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
        headers['Content-Type'] = 'application/json';
    }
    const res = await json(await fetch(url, init));
    return { ...res, config: { headers: config.headers } };
  };
  instance.post = (url, data, config = {}) => instance.request({ ...config, url, data, method: 'post' });
  instance.create = (more = {}) =>
    fakeAxios({ ...instance.defaults, ...more, headers: { ...instance.defaults.headers, ...more.headers } });
  return instance;
}

export function fakeJQuery() {
  const prefilters = [];
  const jQuery = function jQuery() {
    throw new Error('not a DOM library');
  };
  jQuery.ajaxPrefilter = (fn) => void prefilters.push(fn);
  jQuery.ajax = (originalOptions) =>
    new Promise((resolve, reject) => {
      const options = { type: 'GET', headers: {}, ...originalOptions };
      const xhr = new XMLHttpRequest();
      xhr.open(options.type, options.url);
      const sent = {};
      const jqXHR = {
        setRequestHeader(name, value) {
          sent[name] = value;
          xhr.setRequestHeader(name, value);
          return jqXHR;
        },
      };
      for (const fn of prefilters) fn(options, originalOptions, jqXHR);
      for (const [name, value] of Object.entries(options.headers)) jqXHR.setRequestHeader(name, value);
      let body;
      if (options.data !== undefined) {
        xhr.setRequestHeader('Content-Type', 'application/json');
        body = JSON.stringify(options.data);
      }
      xhr.onload = () => resolve({ status: xhr.status, body: JSON.parse(xhr.responseText || 'null'), sent });
      xhr.onerror = () => reject(new Error('XHR failed'));
      xhr.send(body);
    });
  return jQuery;
}

class VueHeaders {
  constructor() {
    this.map = {};
  }
  has(name) {
    return Object.keys(this.map).some((k) => k.toLowerCase() === name.toLowerCase());
  }
  set(name, value) {
    this.map[name] = value;
  }
}

export function fakeVue() {
  const interceptors = [];
  const http = {
    interceptors,
    async post(url, body) {
      const request = { url, method: 'POST', body, headers: new VueHeaders() };
      for (const fn of interceptors) await new Promise((next) => fn(request, next));
      const headers = { ...request.headers.map, 'Content-Type': 'application/json' };
      const res = await json(await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) }));
      return { ...res, sent: request.headers.map };
    },
  };
  return { http };
}

export function fakeTurbo() {
  return { session: {} };
}

/** What Turbo does for a form submission or a visit: the event, then fetch with fetchOptions. */
export async function turboFetch(url, { body, headers = {} } = {}) {
  const fetchOptions = { method: 'POST', headers: { Accept: 'text/vnd.turbo-stream.html', ...headers } };
  if (body !== undefined) {
    fetchOptions.body = JSON.stringify(body);
    fetchOptions.headers['Content-Type'] = 'application/json';
  }
  const detail = { url: new URL(url, location.href), fetchOptions };
  document.dispatchEvent(new CustomEvent('turbo:before-fetch-request', { detail, cancelable: true }));
  const sent = {};
  for (const [k, v] of Object.entries(fetchOptions.headers)) sent[k] = v === undefined ? { $undefined: true } : v;
  const res = await json(await fetch(detail.url, fetchOptions));
  return { ...res, sent };
}

/** POST /messages as the app's own JS would, with fetch. */
export async function postMessage(url, message, init = {}) {
  const res = await fetch(url, {
    method: 'POST',
    ...init,
    headers: { 'Content-Type': 'application/json', ...init.headers },
    body: JSON.stringify(message),
  });
  return json(res);
}
