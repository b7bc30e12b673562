/*! cxm website widget. A site embeds it with its workspace's public key:
 *   <script src="https://cxm.example/widget.js" data-key="pk_..." async></script>
 * The site's code may then call cxm('identify', 'customer-id') once the
 * visitor is known, and send custom events with cxm('event', 'checkout_done')
 * or cxm.track('checkout_done'). Calls made before the script loads are
 * kept if the site defines window.cxm as a queue first:
 *   window.cxm = window.cxm || function () { (cxm.q = cxm.q || []).push(arguments); };
 * No dependencies and no cookies: the visitor's random anonymous id lives in
 * localStorage. Survey texts are always set as text, never parsed as HTML.
 * Events for the page: cxm:session {ok, surveys}, cxm:shown, cxm:completed, cxm:closed. */
(function (win, doc) {
  'use strict';
  var script = doc.currentScript;
  if (!script || !script.getAttribute('data-key')) {
    var all = doc.querySelectorAll('script[data-key]');
    for (var i = 0; i < all.length; i++) {
      if (/\/widget\.js(\?|#|$)/.test(all[i].src)) script = all[i];
    }
  }
  if (!script || win.__cxmWidget || !win.fetch || !win.JSON) return;
  win.__cxmWidget = true;

  var key = script.getAttribute('data-key') || '';
  var api = new URL(script.src, location.href).origin + '/w/v1/' + encodeURIComponent(key) + '/';
  var prefix = 'cxm:' + key + ':';
  var TEXTS = {
    de: {
      next: 'Weiter', submit: 'Absenden', close: 'Umfrage schließen', optional: 'optional',
      required: 'Bitte beantworten Sie diese Frage.', thanks: 'Vielen Dank für Ihr Feedback!',
      error: 'Das hat leider nicht geklappt. Bitte versuchen Sie es noch einmal.',
      step: 'Frage %1 von %2', stars: '%1 von 5 Sternen'
    },
    en: {
      next: 'Next', submit: 'Submit', close: 'Close survey', optional: 'optional',
      required: 'Please answer this question.', thanks: 'Thank you for your feedback!',
      error: 'Sorry, that did not work. Please try again.',
      step: 'Question %1 of %2', stars: '%1 of 5 stars'
    }
  };
  var SCALES = {nps: [0, 10], csat: [1, 5], ces: [1, 7], rating: [1, 5]};
  var CSS = ':host{all:initial}' +
    '.card{position:fixed;z-index:2147483000;bottom:16px;right:16px;box-sizing:border-box;width:360px;' +
    'max-width:calc(100vw - 32px);max-height:calc(100vh - 32px);overflow:auto;padding:16px;background:#fff;' +
    'color:#1f2328;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;border-radius:12px;' +
    'box-shadow:0 10px 30px rgba(0,0,0,.28);text-align:left}' +
    '.bottom-left{right:auto;left:16px}' +
    '.center{bottom:auto;right:auto;top:50%;left:50%;transform:translate(-50%,-50%)}' +
    'h2{font-size:16px;margin:0 36px 8px 0}p{margin:0 0 8px}' +
    '.x{position:absolute;top:8px;right:8px;border:0;background:none;font-size:24px;line-height:1;' +
    'padding:4px 8px;cursor:pointer;color:#444;border-radius:6px}' +
    'fieldset{border:0;margin:0;padding:0;min-width:0}legend{font-weight:600;padding:0;margin:0 0 8px}' +
    '.opt{font-weight:400;color:#57606a}' +
    '.scale{display:flex;gap:4px}.scale label{flex:1 1 0;position:relative}' +
    '.scale input,.choice input{position:absolute;opacity:0;width:1px;height:1px;margin:0}' +
    '.scale span{display:block;text-align:center;padding:7px 0;border:1px solid #8c959f;border-radius:6px;' +
    'cursor:pointer;font-size:14px}' +
    '.stars span{border:0;font-size:26px;padding:0;color:#8c959f}.stars .on span{color:#b45309}' +
    '.scale input:checked+span{background:#0550ae;border-color:#0550ae;color:#fff}' +
    '.stars input:checked+span{background:none;color:#b45309}' +
    '.ends{display:flex;justify-content:space-between;gap:8px;font-size:12px;color:#57606a;margin-top:4px}' +
    '.choice{display:block;position:relative;margin:4px 0}' +
    '.choice span{display:block;padding:7px 10px;border:1px solid #8c959f;border-radius:6px;cursor:pointer}' +
    '.choice input:checked+span{background:#ddf4ff;border-color:#0550ae}' +
    'textarea{box-sizing:border-box;width:100%;font:inherit;padding:6px;border:1px solid #8c959f;border-radius:6px}' +
    '.step{font-size:12px;color:#57606a;margin:8px 0 0}' +
    '.msg{color:#b42318;margin:8px 0 0;min-height:1px}' +
    '.go{margin-top:12px;padding:8px 18px;border:0;border-radius:6px;background:#0550ae;color:#fff;font:inherit;cursor:pointer}' +
    '.go[disabled]{opacity:.6;cursor:default}' +
    'button:focus-visible,input:focus-visible+span,textarea:focus-visible{outline:3px solid #bf8700;outline-offset:2px}' +
    '.hp{position:absolute;left:-9999px;width:1px;height:1px;overflow:hidden}';

  function load(k) {
    try { return win.localStorage.getItem(prefix + k); } catch (e) { return null; }
  }
  function save(k, v) {
    try {
      if (v == null) win.localStorage.removeItem(prefix + k);
      else win.localStorage.setItem(prefix + k, v);
    } catch (e) { /* storage may be blocked; the widget still works for this page */ }
  }
  function randomID() {
    var b = new Uint8Array(16), s = '';
    win.crypto.getRandomValues(b);
    for (var i = 0; i < b.length; i++) s += (b[i] + 256).toString(16).slice(1);
    return s;
  }
  function fmt(s, a, b) { return s.replace('%1', a).replace('%2', b); }
  function emit(name, detail) {
    try { win.dispatchEvent(new CustomEvent('cxm:' + name, {detail: detail})); } catch (e) { /* old browser */ }
  }

  var anon = load('anon');
  if (!anon) { anon = randomID(); save('anon', anon); }
  var customer = load('customer') || '';
  var config = null, started = false, busy = false, pending = [], timers = [], lastURL = '';

  function post(path, body) {
    body.anonymous_id = anon;
    body.customer = customer;
    return win.fetch(api + path, {
      method: 'POST', mode: 'cors', credentials: 'omit',
      headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().then(function (data) {
        if (!res.ok) throw data;
        return data;
      });
    });
  }

  function startSession() {
    started = true;
    config = null;
    post('session', {url: location.href, locale: navigator.language || ''}).then(function (c) {
      config = c;
      emit('session', {ok: true, surveys: c.surveys.length});
      lastURL = '';
      arm();
      var events = pending;
      pending = [];
      events.forEach(track);
    }, function (err) {
      emit('session', {ok: false, error: err && err.error ? err.error.message : String(err)});
    });
  }

  // recent reports whether the time stored under k lies less than days ago.
  function recent(k, days) {
    var t = +load(k);
    return days > 0 && t > 0 && Date.now() - t < days * 864e5;
  }
  function allowed(s) {
    if (s.invitation_id) return !load('i' + s.invitation_id);
    if (s.once && load('s' + s.id)) return false;
    return !recent('s' + s.id, s.recontact_days) && !recent('last', config.contact_frequency_days);
  }
  // matches compares the page with a URL rule: a value starting with "/"
  // with the path and query, any other with the whole address.
  function matches(rule) {
    if (!rule) return true;
    var here = rule.value.charAt(0) === '/' ? location.pathname + location.search : location.href;
    if (rule.match === 'exact') return here === rule.value;
    if (rule.match === 'prefix') return here.indexOf(rule.value) === 0;
    return here.indexOf(rule.value) >= 0;
  }
  // arm fires the page-view triggers of the page and starts its timers.
  function arm() {
    if (!config || location.href === lastURL) return;
    lastURL = location.href;
    timers.forEach(clearTimeout);
    timers = [];
    config.surveys.forEach(function (s) {
      s.triggers.forEach(function (t) {
        if (!matches(t.url)) return;
        if (t.kind === 'page_view') fire(s);
        else if (t.kind === 'time_on_page') timers.push(setTimeout(function () { fire(s); }, t.seconds * 1000));
      });
    });
  }
  function track(name) {
    name = String(name);
    if (!config) { pending.push(name); return; }
    config.surveys.forEach(function (s) {
      s.triggers.forEach(function (t) {
        if (t.kind === 'event' && t.event === name && matches(t.url)) fire(s);
      });
    });
  }
  // fire asks the server whether the survey may be shown now, and shows it.
  function fire(s) {
    if (busy || !allowed(s)) return;
    busy = true;
    post('shown', {survey_id: s.id, invitation_id: s.invitation_id || 0}).then(function (r) {
      var now = String(Date.now());
      if (s.invitation_id) save('i' + s.invitation_id, now);
      if (!r.show) { busy = false; return; }
      save('s' + s.id, now);
      save('last', now);
      show(s);
    }, function () { busy = false; });
  }

  function el(tag, attrs, text) {
    var e = doc.createElement(tag);
    for (var k in attrs) if (attrs[k] != null) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }

  // question renders one question as a fieldset named by its text.
  function question(q, t, id) {
    var fs = el('fieldset'), legend = el('legend', {id: id}, q.text), scale = SCALES[q.kind];
    if (!q.required) add(legend, el('span', {'class': 'opt'}, ' (' + t.optional + ')'));
    add(fs, legend);
    if (scale) {
      var stars = q.kind === 'rating', row = el('div', {'class': 'scale' + (stars ? ' stars' : '')});
      for (var v = scale[0]; v <= scale[1]; v++) {
        add(row, add(el('label'),
          el('input', {type: 'radio', name: id, value: String(v), 'aria-label': stars ? fmt(t.stars, v) : null}),
          el('span', {'aria-hidden': stars ? 'true' : null}, stars ? '\u2605' : String(v))));
      }
      if (stars) {
        row.addEventListener('change', function (e) {
          var labels = row.querySelectorAll('label');
          for (var i = 0; i < labels.length; i++) labels[i].className = i < +e.target.value ? 'on' : '';
        });
      }
      add(fs, row);
      if (q.low_label || q.high_label) {
        fs.setAttribute('aria-describedby', id + 'e');
        add(fs, add(el('div', {'class': 'ends', id: id + 'e'}), el('span', null, q.low_label || ''), el('span', null, q.high_label || '')));
      }
    } else if (q.kind === 'single' || q.kind === 'multi') {
      (q.choices || []).forEach(function (c) {
        add(fs, add(el('label', {'class': 'choice'}),
          el('input', {type: q.kind === 'single' ? 'radio' : 'checkbox', name: id, value: c.key}),
          el('span', null, c.label)));
      });
    } else {
      add(fs, el('textarea', {name: id, rows: '3', maxlength: String(q.max_length || 5000), 'aria-labelledby': id}));
    }
    return fs;
  }
  // value reads the answer to q, or null when there is none.
  function value(q, box) {
    if (q.kind === 'text') {
      var text = box.querySelector('textarea').value.trim();
      return text ? text : null;
    }
    var checked = box.querySelectorAll('input:checked');
    if (!checked.length) return null;
    if (q.kind === 'multi') return Array.prototype.map.call(checked, function (c) { return c.value; });
    return q.kind === 'single' ? checked[0].value : +checked[0].value;
  }

  // show renders the survey in a card, one question at a time, posting
  // the answers so far after each question and completing at the end.
  function show(s) {
    var t = TEXTS[s.locale] || TEXTS.en, n = s.questions.length, step = 0, answers = {}, id = randomID();
    var host = el('div', {id: 'cxm-widget'});
    var root = host.attachShadow ? host.attachShadow({mode: 'open'}) : host;
    var card = el('section', {'class': 'card ' + (s.position || 'bottom-right'), role: 'dialog', 'aria-labelledby': 'cxm-t', lang: s.locale});
    var close = el('button', {type: 'button', 'class': 'x', 'aria-label': t.close, title: t.close}, '\u00d7');
    var form = el('form', {novalidate: ''}), box = el('div');
    var msg = el('p', {'class': 'msg', role: 'alert'});
    var honeypot = el('input', {type: 'text', name: 'website', tabindex: '-1', autocomplete: 'off', 'aria-hidden': 'true', 'class': 'hp'});
    var go = el('button', {type: 'submit', 'class': 'go'});
    var chain = Promise.resolve();
    add(root, el('style', null, CSS), add(card, close, el('h2', {id: 'cxm-t'}, s.title),
      s.intro ? el('p', null, s.intro) : null, add(form, box, honeypot, msg, go)));
    add(doc.body, host);
    emit('shown', {survey_id: s.id});

    function send(completed) {
      return post('responses', {
        id: id, survey_id: s.id, invitation_id: s.invitation_id || 0, touchpoint: s.touchpoint || '',
        locale: s.locale, answers: answers, hidden: s.hidden || {}, completed: completed, website: honeypot.value
      });
    }
    function end() {
      doc.removeEventListener('keydown', onKey, true);
      if (host.parentNode) host.parentNode.removeChild(host);
      busy = false;
      emit('closed', {survey_id: s.id});
    }
    function onKey(e) {
      if (e.key === 'Escape' || e.key === 'Esc') end();
    }
    function render() {
      box.textContent = '';
      msg.textContent = '';
      add(box, question(s.questions[step], t, 'cxm-q' + step), n > 1 ? el('p', {'class': 'step'}, fmt(t.step, step + 1, n)) : null);
      go.textContent = step === n - 1 ? t.submit : t.next;
    }
    doc.addEventListener('keydown', onKey, true);
    close.addEventListener('click', end);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var q = s.questions[step], v = value(q, box);
      if (v == null && q.required) {
        msg.textContent = t.required;
        var first = box.querySelector('input,textarea');
        if (first) first.focus();
        return;
      }
      if (v == null) delete answers[q.key];
      else answers[q.key] = v;
      if (step < n - 1) {
        // A partial save; the last post carries every answer again.
        chain = chain.then(function () { return send(false); }).catch(function () {});
        step++;
        render();
        box.querySelector('input,textarea').focus();
        return;
      }
      go.disabled = true;
      chain.then(function () { return send(true); }).then(function () {
        card.removeChild(form);
        add(card, el('p', {'class': 'thanks', role: 'status'}, s.thank_you || t.thanks));
        close.focus();
        emit('completed', {survey_id: s.id, response_id: id});
        setTimeout(end, 8000);
      }, function () {
        go.disabled = false;
        msg.textContent = t.error;
      });
    });
    render();
  }

  function identify(id) {
    id = id == null ? '' : String(id).slice(0, 200);
    if (id === customer) return;
    customer = id;
    save('customer', id || null);
    if (started) startSession();
  }
  function command(name, arg) {
    if (name === 'identify') identify(arg);
    else if (name === 'event' || name === 'track') track(arg);
    else if (name === 'reset') {
      customer = '';
      save('customer', null);
      anon = randomID();
      save('anon', anon);
      if (started) startSession();
    }
  }
  var queued = win.cxm && win.cxm.q;
  var cxm = function (name, arg) { command(name, arg); };
  cxm.identify = identify;
  cxm.track = track;
  cxm.reset = function () { command('reset'); };
  win.cxm = cxm;
  if (queued) for (var j = 0; j < queued.length; j++) command(queued[j][0], queued[j][1]);

  // Single-page sites change the address without loading a page.
  ['pushState', 'replaceState'].forEach(function (m) {
    var orig = history[m];
    history[m] = function () {
      var r = orig.apply(this, arguments);
      setTimeout(arm, 0);
      return r;
    };
  });
  win.addEventListener('popstate', arm);
  if (doc.body) startSession();
  else doc.addEventListener('DOMContentLoaded', startSession);
})(window, document);
