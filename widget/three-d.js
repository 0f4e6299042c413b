/*
 * Luneo 3D / AR view for the widget.
 *
 *   LuneoThreeD.open(container, {glbUrl, usdzUrl, poster, alt}) -> Promise<HTMLElement>
 *   LuneoThreeD.close(container)
 *   LuneoThreeD.fetchAr(arUrl, token, {signal, timeoutMs}) -> Promise<{glbUrl, usdzUrl}>
 *   LuneoThreeD.load() -> Promise   (also called by open)
 *   LuneoThreeD.isLoaded() -> boolean
 *
 * Google's <model-viewer> (vendor/model-viewer-4.4.0.min.js, from the npm package
 * @google/model-viewer) is loaded on the first open() only, never with the page. AR uses
 * WebXR or Scene Viewer (Android, from the GLB) and AR Quick Look (iOS) from Luneo's own
 * USDZ given as `ios-src`, so model-viewer never exports a USDZ on the fly.
 * Plain script, no build step: include it with <script src> or `import "./three-d.js"`
 * (it then finds vendor/ through /widget/, or pass options.vendorUrl).
 */
(function (root) {
  "use strict";

  var VENDOR_FILE = "vendor/model-viewer-4.4.0.min.js";
  var AR_MODES = "webxr scene-viewer quick-look";
  var base = scriptBase();
  var loading = null;

  /** Where this file was served from: vendor/ sits beside it. */
  function scriptBase() {
    var current = document.currentScript; // null when loaded by an ES module import
    if (current && current.src) return current.src;
    var tag = document.querySelector('script[src*="three-d.js"]');
    if (tag && tag.src) return tag.src;
    return new URL("/widget/three-d.js", root.location.href).href;
  }

  function isLoaded() {
    return !!(root.customElements && root.customElements.get("model-viewer"));
  }

  /** Load <model-viewer> once; resolves when the element is defined. */
  function load(options) {
    if (isLoaded()) return Promise.resolve();
    if (!loading) {
      var src = (options && options.vendorUrl) || new URL(VENDOR_FILE, base).href;
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.type = "module";
        script.src = src;
        script.setAttribute("data-luneo", "model-viewer");
        script.onload = function () {
          root.customElements.whenDefined("model-viewer").then(resolve, reject);
        };
        script.onerror = function () {
          loading = null;
          script.remove();
          reject(new Error("could not load the 3D viewer from " + src));
        };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function status(container, text) {
    var note = document.createElement("p");
    note.className = "luneo-3d-status";
    note.setAttribute("role", "status");
    note.textContent = text;
    container.replaceChildren(note);
  }

  /**
   * Show the personalised model in `container` (emptied first). Resolves with the
   * <model-viewer> element once it is in the page; listen to its `load` / `error` events
   * for the model itself.
   */
  function open(container, options) {
    if (!container || !options || !options.glbUrl) {
      return Promise.reject(new Error("LuneoThreeD.open needs a container and options.glbUrl"));
    }
    status(container, options.loadingText || "Loading 3D view\u2026");
    return load(options).then(
      function () {
        var viewer = document.createElement("model-viewer");
        viewer.setAttribute("src", options.glbUrl);
        if (options.usdzUrl) viewer.setAttribute("ios-src", options.usdzUrl);
        if (options.ar !== false) {
          viewer.setAttribute("ar", "");
          viewer.setAttribute("ar-modes", AR_MODES);
        }
        if (options.poster) viewer.setAttribute("poster", options.poster);
        viewer.setAttribute("alt", options.alt || "3D view of the personalized product");
        viewer.setAttribute("camera-controls", "");
        viewer.setAttribute("touch-action", "pan-y");
        viewer.setAttribute("shadow-intensity", "1");
        viewer.setAttribute("environment-image", "neutral");
        viewer.className = "luneo-3d-viewer";
        viewer.style.display = "block";
        viewer.style.flex = "1 1 auto"; // fills a flex container
        viewer.style.width = "100%";
        viewer.style.height = "100%";
        viewer.style.minHeight = options.minHeight || "320px";
        viewer.appendChild(progressBar(viewer, options.loadingText || "Loading 3D view\u2026"));
        container.replaceChildren(viewer);
        bound(container, viewer, options);
        return viewer;
      },
      function (err) {
        status(container, options.errorText || "The 3D view could not be loaded.");
        throw err;
      }
    );
  }

  /**
   * The viewer's loading progress, in its `progress-bar` slot: a real progressbar (0..100)
   * fed by model-viewer's `progress` events, hidden once the model is in. Styled through
   * the CSSOM, which the widget's CSP allows (no style attribute, no <style>).
   */
  function progressBar(viewer, label) {
    var bar = document.createElement("div");
    bar.setAttribute("slot", "progress-bar");
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-label", label);
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
    bar.setAttribute("aria-valuenow", "0");
    bar.className = "luneo-3d-progress";
    var fill = document.createElement("span");
    Object.assign(bar.style, {
      position: "absolute", left: "15%", right: "15%", bottom: "16px", height: "4px",
      borderRadius: "2px", background: "rgba(0,0,0,0.12)", overflow: "hidden",
    });
    Object.assign(fill.style, { display: "block", height: "100%", width: "0", background: "#1f2a44" });
    bar.appendChild(fill);
    viewer.addEventListener("progress", function (event) {
      var pct = Math.round(Math.min(1, (event.detail && event.detail.totalProgress) || 0) * 100);
      fill.style.width = pct + "%";
      bar.setAttribute("aria-valuenow", String(pct));
      if (pct >= 100) bar.hidden = true;
    });
    return bar;
  }

  /** Loading is bounded: no model after `timeoutMs` (60 s), or an error, shows the error. */
  function bound(container, viewer, options) {
    var done = false;
    var fail = function () {
      if (done) return;
      done = true;
      status(container, options.errorText || "The 3D view could not be loaded.");
    };
    var timer = setTimeout(function () {
      if (!viewer.loaded) fail();
    }, options.timeoutMs || 60000);
    viewer.addEventListener("load", function () {
      done = true;
      clearTimeout(timer);
    });
    viewer.addEventListener("error", function () {
      clearTimeout(timer);
      fail();
    });
  }

  /** Remove the viewer (the module stays loaded for the next open). */
  function close(container) {
    if (container) container.replaceChildren();
  }

  function sleep(ms, signal) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(resolve, ms);
      if (signal) {
        signal.addEventListener("abort", function () {
          clearTimeout(timer);
          reject(new DOMException("aborted", "AbortError"));
        });
      }
    });
  }

  /**
   * Poll `GET /v1/designs/{id}/ar` until the files are ready (200), waiting `Retry-After`
   * between answers 202. Rejects with an Error whose `code` is the API's error code
   * (`no_3d_model`, `ar_render_failed` ...) or `timeout`.
   */
  function fetchAr(arUrl, token, options) {
    options = options || {};
    var deadline = Date.now() + (options.timeoutMs || 120000);
    var headers = token ? { Authorization: "Bearer " + token } : {};
    function attempt() {
      return fetch(arUrl, { headers: headers, signal: options.signal }).then(function (res) {
        if (res.status === 200) return res.json();
        if (res.status === 202) {
          if (Date.now() > deadline) {
            var late = new Error("the 3D view took too long");
            late.code = "timeout";
            throw late;
          }
          var wait = parseFloat(res.headers.get("Retry-After") || "2") * 1000;
          return sleep(Math.min(Math.max(wait, 500), 5000), options.signal).then(attempt);
        }
        return res.json().then(
          function (body) {
            var info = (body && body.error) || {};
            var err = new Error(info.message || "the 3D view is not available");
            err.code = info.code || "http_" + res.status;
            throw err;
          },
          function () {
            var err = new Error("the 3D view is not available");
            err.code = "http_" + res.status;
            throw err;
          }
        );
      });
    }
    return attempt();
  }

  root.LuneoThreeD = {
    open: open,
    close: close,
    load: load,
    fetchAr: fetchAr,
    isLoaded: isLoaded,
    AR_MODES: AR_MODES,
  };
})(window);
