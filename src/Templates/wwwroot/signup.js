// Weekly AI Tool Verdicts — progressive enhancement for signup forms (form[data-watv-signup]).
// Without this file the form is a plain POST. With it, the form submits via fetch with Accept: application/json
// and shows the server's answer inline: 202 {"status":"pending","message":"..."} or 400/429 problem+json {"detail":"..."}.
(function () {
  'use strict';

  function setStatus(form, text, ok) {
    var status = form.querySelector('[data-watv-status]');
    if (!status) { return; }
    status.textContent = text;
    status.className = 'status ' + (ok ? 'ok' : 'err');
  }

  function enhance(form) {
    if (form.getAttribute('data-watv-ready') === '1') { return; }
    form.setAttribute('data-watv-ready', '1');
    form.addEventListener('submit', function (event) {
      if (!window.fetch || !window.FormData || !window.URLSearchParams) { return; } // fall back to a normal POST
      event.preventDefault();
      var button = form.querySelector('button[type=submit], button:not([type])');
      var email = form.querySelector('input[type=email]');
      var body = new URLSearchParams();
      new FormData(form).forEach(function (value, key) { body.append(key, String(value)); });
      if (button) { button.disabled = true; }
      setStatus(form, 'Sending…', true);
      fetch(form.action, {
        method: 'POST',
        mode: 'cors',
        credentials: 'omit',
        headers: { 'Accept': 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: body.toString()
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.ok) {
            setStatus(form, data.message || 'Almost done: check your inbox and click the confirmation link.', true);
            if (email) { email.removeAttribute('aria-invalid'); email.value = ''; }
          } else {
            var detail = data.detail || data.title ||
              (response.status === 429 ? 'Too many attempts. Please try again in a few minutes.' : 'That didn\u2019t work. Please check the address and try again.');
            setStatus(form, detail, false);
            if (email && response.status === 400) { email.setAttribute('aria-invalid', 'true'); email.focus(); }
          }
        });
      }).catch(function () {
        setStatus(form, 'Network problem — please try again.', false);
      }).then(function () {
        if (button) { button.disabled = false; }
      });
    });
  }

  function init() {
    var forms = document.querySelectorAll('form[data-watv-signup]');
    for (var i = 0; i < forms.length; i++) { enhance(forms[i]); }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
