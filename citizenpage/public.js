// The citizen's own page of a ticket (/t/{public}): polls the ticket's
// public JSON every few seconds, faster to notice a call, and slower after
// failures (reconnecting by itself). No framework, no token.
"use strict";
(function () {
  // /t/{public} on the daemon, /t/{unit}/{public} on the receiver: the
  // JSON is at /api/v1/public/ and the same rest.
  var rest = location.pathname.replace(/^\/t\//, "").split("/").map(encodeURIComponent).join("/");
  var every = 4000, maxBackoff = 30000, backoff = every, timer = 0, last = "";
  var $ = function (x) { return document.getElementById(x); };
  var statusText = {
    waiting: "Đang chờ đến lượt",
    called: "Đến lượt quý khách",
    done: "Đã phục vụ xong",
    no_show: "Đã gọi nhưng quý khách vắng mặt"
  };

  function minutes(s) {
    var m = Math.max(1, Math.ceil(s / 60));
    return "khoảng " + m + " phút";
  }
  function clock(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  function show(t) {
    var key = JSON.stringify(t);
    if (key === last) return;
    var wasCalled = last && JSON.parse(last).status === "called";
    last = key;
    document.body.className = t.status;
    $("unit").textContent = t.unit;
    $("number").textContent = t.number;
    $("service").textContent = t.service_name;
    $("status").textContent = statusText[t.status] || t.status;
    var detail = "";
    if (t.status === "waiting") {
      detail = t.ahead === 0 ? "Quý khách là người tiếp theo." : "Vui lòng chờ, chúng tôi sẽ gọi số của quý khách.";
    } else if (t.status === "called") {
      detail = "Mời quý khách đến " + (t.counter_name || ("Quầy " + t.counter)) + (t.calls > 1 ? " (đã gọi " + t.calls + " lần)" : "") + ".";
    } else if (t.status === "done") {
      detail = "Cảm ơn quý khách!";
    } else if (t.status === "no_show") {
      detail = "Vui lòng liên hệ " + (t.counter_name || "quầy") + " hoặc lấy số mới.";
    }
    $("detail").textContent = detail;
    var waiting = t.status === "waiting";
    $("facts").hidden = false;
    $("ahead").textContent = waiting ? t.ahead + " người" : "–";
    $("wait").textContent = waiting ? (t.ahead === 0 ? "sắp đến lượt" : minutes(t.estimated_wait_s)) : "–";
    $("issued").textContent = clock(t.issued_at);
    var form = $("notify");
    form.hidden = !(t.heads_up && t.status === "waiting" && t.ahead > t.heads_up && $("n-done").hidden);
    $("n-ahead").textContent = t.heads_up || "";
    document.title = t.number + " – " + (statusText[t.status] || "");
    if (t.status === "called" && !wasCalled && navigator.vibrate) navigator.vibrate([300, 150, 300]);
  }

  function gone() {
    document.body.className = "gone";
    $("status").textContent = "Phiếu không còn hiệu lực";
    $("detail").textContent = "Ngày làm việc của phiếu đã kết thúc, hoặc mã không đúng.";
    $("facts").hidden = true;
    $("conn").textContent = "";
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(poll, ms);
  }

  function poll() {
    var x = new XMLHttpRequest();
    x.open("GET", "/api/v1/public/" + rest);
    x.timeout = 10000;
    x.onload = function () {
      if (x.status === 200) {
        $("conn").textContent = "";
        backoff = every;
        try { show(JSON.parse(x.responseText)); } catch (e) { /* a broken answer: try again */ }
        schedule(every);
      } else if (x.status === 404) {
        gone(); // final: nothing more to follow
      } else {
        fail(x.status === 429 ? (parseInt(x.getResponseHeader("Retry-After"), 10) || 5) * 1000 : 0);
      }
    };
    x.onerror = x.ontimeout = function () { fail(0); };
    x.send();
  }

  function fail(wait) {
    $("conn").textContent = "Mất kết nối, đang thử lại…";
    backoff = Math.min(maxBackoff, backoff * 2);
    schedule(Math.max(wait, backoff * (0.75 + Math.random() / 2)));
  }

  // A heads-up by SMS or Zalo, where the receiver offers it.
  $("notify").addEventListener("submit", function (e) {
    e.preventDefault();
    var x = new XMLHttpRequest();
    x.open("POST", "/api/v1/public/" + rest + "/notify");
    x.setRequestHeader("Content-Type", "application/json");
    x.onload = function () {
      var done = $("n-done");
      if (x.status === 200) {
        $("notify").hidden = true;
        done.textContent = "Đã đăng ký: quý khách sẽ nhận tin nhắn khi sắp đến lượt.";
        done.hidden = false;
      } else {
        var err = {};
        try { err = JSON.parse(x.responseText).error || {}; } catch (ex) { /* not JSON */ }
        alertText(err.code === "bad_phone" ? "Số điện thoại chưa đúng, ví dụ 0912345678." :
          err.code === "too_late" ? "Sắp đến lượt rồi, mời quý khách quay lại phòng chờ." : "Chưa đăng ký được, xin thử lại.");
      }
    };
    x.onerror = function () { alertText("Mất kết nối, xin thử lại."); };
    x.send(JSON.stringify({ to: $("phone").value }));
  });
  function alertText(s) { $("conn").textContent = s; }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && document.body.className !== "gone") schedule(0);
  });
  poll();
})();
