// The service worker of the Online Party School (app/offline/views.py renders it; Workbox, vendored
// under /static/vendor/, does the caching). It keeps:
// - from installation on, the offline page and the site's own styles, scripts and icons;
// - the pages a member saved for offline study ("offline-pages", written by offline.js), served
//   only when the network does not answer: online, every page comes fresh from the server;
// - the 360p videos a member downloaded ("offline-media"), served from the device in byte ranges
//   (a video element asks for ranges); other videos come from the network as before.
// A page neither saved nor reachable shows the offline page.
importScripts({{ (workbox ~ "/workbox-sw.js")|tojson }});
workbox.setConfig({ modulePathPrefix: {{ (workbox ~ "/")|tojson }}, debug: false });

const PAGES = "offline-pages";
const MEDIA = "offline-media";
const FALLBACK = {{ fallback|tojson }};

workbox.core.skipWaiting();
workbox.core.clientsClaim();
workbox.precaching.cleanupOutdatedCaches();
workbox.precaching.precacheAndRoute({{ precache|tojson }});

function savedOrOffline(request) {
  return caches
    .open(PAGES)
    .then(function (cache) { return cache.match(request.url, { ignoreVary: true, ignoreSearch: false }); })
    .then(function (saved) { return saved || workbox.precaching.matchPrecache(FALLBACK); });
}

workbox.routing.registerRoute(
  function (options) { return options.request.mode === "navigate"; },
  new workbox.strategies.NetworkOnly({
    plugins: [{ handlerDidError: function (options) { return savedOrOffline(options.request); } }],
  })
);

workbox.routing.registerRoute(
  function (options) { return /^\/media\/videos\/\d+\/360p\.mp4$/.test(options.url.pathname); },
  new workbox.strategies.CacheOnly({
    cacheName: MEDIA,
    matchOptions: { ignoreVary: true },
    plugins: [
      new workbox.rangeRequests.RangeRequestsPlugin(),
      { handlerDidError: function (options) { return fetch(options.request); } },
    ],
  })
);

workbox.routing.registerRoute(
  function (options) { return options.url.pathname.indexOf("/static/") === 0; },
  new workbox.strategies.StaleWhileRevalidate({
    cacheName: "static",
    plugins: [new workbox.cacheableResponse.CacheableResponsePlugin({ statuses: [200] })],
  })
);
