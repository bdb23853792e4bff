// The Janus side of Veil's browser pages, scripts/browser-viewer.html and scripts/browser-latency.html:
// watching one streaming-plugin mountpoint in a <video>, the page's log, getStats' inbound video
// figures and the POST of the page's one report. Plain browser JavaScript (the pages load it with
// <script src="janus-watch.js">, after janus.js, from scripts/browser-report-server.py), one global:
// VeilJanusWatch.
var VeilJanusWatch = (function () {
  "use strict";

  // The page's log: note(msg) keeps "<ms since the logger was made>ms msg" in log, shows it in
  // statusElement and prints it to the console as "prefix: ..."; mark(what) notes what once and
  // keeps the time it first happened in timings.
  function logger(prefix, statusElement) {
    const t0 = performance.now();
    const lg = { prefix: prefix, log: [], timings: {} };
    function ms() { return Math.round(performance.now() - t0); }
    lg.note = function (msg) {
      const line = ms() + "ms " + msg;
      lg.log.push(line);
      statusElement.textContent = line;
      console.log(prefix + ": " + line);
    };
    lg.mark = function (what) { if (!(what in lg.timings)) { lg.timings[what] = ms(); lg.note(what); } };
    return lg;
  }

  // The fields `keys` of the handle's inbound video RTP stats, or null before there are any; with
  // `route`, also the codec and the nominated candidate pair ("local <- remote").
  async function inboundVideo(handle, keys, route) {
    const pc = handle && handle.webrtcStuff && handle.webrtcStuff.pc;
    if (!pc) return null;
    const stats = await pc.getStats();
    let inbound = null;
    const byId = {};
    stats.forEach(function (r) {
      byId[r.id] = r;
      if (r.type === "inbound-rtp" && (r.kind === "video" || r.mediaType === "video")) inbound = r;
    });
    if (!inbound) return null;
    const out = {};
    for (const k of keys) {
      if (inbound[k] !== undefined) out[k] = inbound[k];
    }
    if (!route) return out;
    const codec = inbound.codecId && byId[inbound.codecId];
    if (codec) { out.codec = codec.mimeType; out.codecFmtp = codec.sdpFmtpLine; }
    stats.forEach(function (r) {
      if (r.type === "candidate-pair" && r.nominated && r.state === "succeeded") {
        const l = byId[r.localCandidateId], rm = byId[r.remoteCandidateId];
        out.candidatePair = (l ? l.address + ":" + l.port + "/" + l.candidateType : "?") +
          " <- " + (rm ? rm.address + ":" + rm.port + "/" + rm.candidateType : "?");
      }
    });
    return out;
  }

  function screenshot(video) {
    if (!video.videoWidth || !video.videoHeight) return null;
    const c = document.createElement("canvas");
    c.width = video.videoWidth;
    c.height = video.videoHeight;
    c.getContext("2d").drawImage(video, 0, 0, c.width, c.height);
    return c.toDataURL("image/png");
  }

  // Adds a PNG of the video to body (png: null when that fails) and POSTs it as JSON to url. A failed
  // POST only reaches the console: the report was the way out.
  async function report(url, body, video, lg) {
    try { body.png = screenshot(video); } catch (e) { lg.note("screenshot failed: " + e); body.png = null; }
    try {
      const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" },
                                   body: JSON.stringify(body) });
      lg.note("report POSTed: HTTP " + r.status);
    } catch (e) {
      console.error(lg.prefix + ": report POST failed: " + e);
    }
  }

  // Watches mountpoint o.mountId of the Janus HTTP API o.server in o.video, logging to o.lg; the
  // plugin handle goes to o.onHandle once attached, every failure to o.finish(why). Returns a
  // function that ends the Janus session (nothing before there is one).
  function watch(o) {
    const lg = o.lg;
    let janus = null;
    Janus.init({
      debug: ["warn", "error"],
      dependencies: Janus.useDefaultDependencies(),
      callback: function () {
        if (!Janus.isWebrtcSupported()) { o.finish("WebRTC not supported"); return; }
        lg.mark("janusInit");
        janus = new Janus({
          server: o.server,
          success: function () {
            lg.mark("sessionCreated");
            let handle = null;
            janus.attach({
              plugin: "janus.plugin.streaming",
              opaqueId: o.opaquePrefix + Janus.randomString(8),
              success: function (h) {
                handle = h;
                o.onHandle(h);
                lg.mark("attached");
                handle.send({ message: { request: "watch", id: o.mountId } });
              },
              error: function (e) { o.finish("attach failed: " + e); },
              iceState: function (s) { lg.note("ice " + s); if (s === "failed") o.finish("ICE failed"); },
              webrtcState: function (up, why) { lg.note("webrtc " + (up ? "up" : "down " + (why || ""))); },
              onmessage: function (msg, jsep) {
                const result = msg && msg.result;
                if (msg && msg.error) { o.finish("streaming plugin: " + msg.error_code + " " + msg.error); return; }
                if (result && result.status) lg.note("status " + result.status);
                if (jsep) {
                  lg.mark("offer");
                  // Janus half-trickles: its candidates are in the offer. Logged
                  // because ICE over loopback is the fragile part of this rig.
                  lg.note("offer candidates: " + (jsep.sdp.match(/^a=candidate:.*$/mg) || []).join(" | "));
                  handle.createAnswer({
                    jsep: jsep,
                    // No local tracks: the offered video is accepted recvonly.
                    tracks: [{ type: "data" }],
                    success: function (answer) {
                      lg.mark("answer");
                      handle.send({ message: { request: "start" }, jsep: answer });
                    },
                    error: function (e) { o.finish("createAnswer failed: " + (e && e.message || e)); }
                  });
                }
              },
              onremotetrack: function (track, mid, on) {
                lg.note("remote track " + track.kind + " mid=" + mid + " " + (on ? "on" : "off"));
                if (on && track.kind === "video") {
                  lg.mark("remoteTrack");
                  Janus.attachMediaStream(o.video, new MediaStream([track]));
                  const p = o.video.play();
                  if (p && p.catch) p.catch(function (e) { lg.note("play() rejected: " + e); });
                }
              },
              oncleanup: function () { lg.note("cleanup"); }
            });
          },
          error: function (e) { o.finish("Janus session: " + e); },
          destroyed: function () { lg.note("session destroyed"); }
        });
      }
    });
    return function () {
      try { if (janus) janus.destroy({ cleanupHandles: true }); } catch (e) { /* going away anyway */ }
    };
  }

  return { logger: logger, inboundVideo: inboundVideo, report: report, watch: watch };
})();
