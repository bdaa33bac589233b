// Engage's single-page app, written the way a React app behaves once bundled: it
// routes in the browser, fetches the invite as JSON after load, and keeps every
// input's value in its own state, changed only by input/change events and written
// back to the DOM on each render (a value set from script without an event is lost).
// Plain ES2017, no build step.
'use strict';
(() => {
  const root = document.getElementById('app');
  // As an XHR arrives after the first paint.
  const FETCH_DELAY_MS = 120;

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // One element: attributes (on* are listeners, text is textContent) and children.
  function h(tag, attrs, children) {
    const el = document.createElement(tag);
    Object.keys(attrs || {}).forEach((key) => {
      const value = attrs[key];
      if (value === false || value === null || value === undefined) return;
      if (key === 'text') el.textContent = value;
      else if (key.slice(0, 2) === 'on') el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? '' : String(value));
    });
    (children || []).forEach((child) => { if (child) el.appendChild(child); });
    return el;
  }

  function mount(...nodes) {
    while (root.firstChild) root.removeChild(root.firstChild);
    nodes.forEach((node) => root.appendChild(node));
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) return meta.content;
    const found = document.cookie.match(/(?:^|; )XSRF-TOKEN=([^;]*)/);
    return found ? decodeURIComponent(found[1]) : '';
  }

  async function getJson(url) {
    const response = await fetch(url, {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    });
    const data = await response.json().catch(() => ({}));
    return { status: response.status, data };
  }

  function navigate(path, state) {
    history.pushState(state || {}, '', path);
    route();
  }

  function notice(title, message, role) {
    document.title = title + ' | Engage';
    mount(h('div', { class: 'notice' }, [
      h('h1', { text: title }),
      h('p', { class: 'message', role: role || null, text: message }),
    ]));
  }

  function failed(title, data) {
    navigate('/invitations/error', { title, message: data.message || 'This invitation link is invalid.' });
  }

  function errorTitle(data) {
    if (data.error === 'expired') return 'Invitation expired';
    if (data.error === 'used') return 'Invitation already used';
    return 'Invitation not found';
  }

  async function signup(token) {
    document.title = 'Sign up | Engage';
    mount(h('p', { class: 'loading', 'aria-busy': 'true', text: 'Loading\u2026' }));
    await sleep(FETCH_DELAY_MS);
    let answer;
    try {
      answer = await getJson('/api/invitations/' + encodeURIComponent(token));
    } catch (e) {
      notice('Something went wrong', 'Cannot reach Engage. Check your connection and reload the page.', 'alert');
      return;
    }
    if (answer.status === 404 || answer.status === 410) {
      failed(errorTitle(answer.data), answer.data);
    } else if (answer.status !== 200) {
      notice('Something went wrong', answer.data.message || 'Please reload the page.', 'alert');
    } else {
      signupForm(token, answer.data);
    }
  }

  function signupForm(token, invite) {
    const rules = invite.password || {};
    const state = {
      values: {
        first_name: invite.first_name || '',
        last_name: invite.last_name || '',
        email: invite.email || '',
        password: '',
        password_confirmation: '',
        accept_terms: false,
      },
      errors: [],
      alert: null,
      submitting: false,
    };
    const inputs = {};
    const fields = {};

    function onInput(event) {
      const input = event.target;
      state.values[input.name] = input.type === 'checkbox' ? input.checked : input.value;
      render();
    }

    function field(name, label, attrs) {
      const input = h('input', Object.assign({ name, id: name, oninput: onInput }, attrs));
      inputs[name] = input;
      fields[name] = h('div', { class: 'field' }, [h('label', { for: name, text: label }), input]);
      return fields[name];
    }

    const passwordAttrs = {
      type: 'password', required: true, autocomplete: 'new-password',
      minlength: rules.min_length, maxlength: rules.max_length, pattern: rules.pattern,
    };
    const terms = h('input', {
      type: 'checkbox', name: 'accept_terms', id: 'accept_terms', onchange: onInput,
    });
    inputs.accept_terms = terms;
    fields.accept_terms = h('div', { class: 'field check' }, [
      terms,
      h('label', { for: 'accept_terms' }, [
        document.createTextNode('I accept the '),
        h('a', { href: '/terms', text: 'terms of service' }),
      ]),
    ]);
    const button = h('button', { type: 'submit', class: 'btn btn-primary', text: 'Create account' });
    const alertBox = h('div', {});
    const form = h('form', { id: 'signup', novalidate: true, onsubmit: submit }, [
      field('first_name', 'First name', { type: 'text', autocomplete: 'given-name' }),
      field('last_name', 'Last name', { type: 'text', autocomplete: 'family-name' }),
      invite.inviter ? h('input', { type: 'hidden', name: 'inviter_email', value: invite.inviter }) : null,
      field('email', 'Email', { type: 'email', readonly: true, autocomplete: 'username' }),
      field('password', 'Password', passwordAttrs),
      h('p', {
        class: 'hint',
        text: (rules.min_length || 8) + '\u2013' + (rules.max_length || 16)
          + ' characters, with upper and lower case letters, digits and symbols (!@#$%^&*).',
      }),
      field('password_confirmation', 'Confirm password', passwordAttrs),
      fields.accept_terms,
      h('div', { class: 'actions' }, [button]),
    ]);
    const hint = invite.sign_in_hint
      ? h('p', { class: 'signin-hint' }, [
        document.createTextNode('Already have an account? '),
        h('a', { href: '/login', text: 'Sign in' }),
      ])
      : null;
    mount(
      h('h1', { text: 'Complete your registration' }),
      h('p', { text: 'You have been invited to Engage. Check your details and choose a password.' }),
      alertBox, form, hint || document.createTextNode(''),
    );
    render();

    // Writes the state back to the DOM, as React reconciles controlled inputs.
    function render() {
      Object.keys(inputs).forEach((name) => {
        const input = inputs[name];
        if (input.type === 'checkbox') {
          input.checked = state.values[name];
        } else if (input.value !== state.values[name]) {
          input.value = state.values[name];
        }
        // React keeps a controlled input's value attribute in step too (not a password's here).
        if (input.type !== 'checkbox' && input.type !== 'password') {
          input.setAttribute('value', state.values[name]);
        }
        renderFieldErrors(name);
      });
      button.disabled = state.submitting;
      button.textContent = state.submitting ? 'Creating account\u2026' : 'Create account';
      renderAlert();
    }

    function renderFieldErrors(name) {
      const input = inputs[name];
      const messages = state.errors.filter((e) => e.field === name).map((e) => e.message);
      const id = name + '-error';
      const old = document.getElementById(id);
      if (old) old.remove();
      if (messages.length === 0) {
        input.removeAttribute('aria-invalid');
        input.removeAttribute('aria-describedby');
        input.classList.remove('is-invalid');
        return;
      }
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', id);
      input.classList.add('is-invalid');
      fields[name].appendChild(h('div', { class: 'invalid-feedback', id, text: messages.join(' ') }));
    }

    function renderAlert() {
      while (alertBox.firstChild) alertBox.removeChild(alertBox.firstChild);
      const messages = state.errors.map((e) => e.message);
      if (state.alert) messages.unshift(state.alert);
      if (messages.length === 0) return;
      const children = [];
      if (state.errors.length > 1) {
        children.push(h('p', { text: state.errors.length + ' errors prohibited this account from being saved:' }));
      }
      children.push(h('ul', {}, messages.map((m) => h('li', { text: m }))));
      alertBox.appendChild(h('div', { class: 'alert alert-danger', role: 'alert' }, children));
    }

    async function submit(event) {
      event.preventDefault();
      if (state.submitting) return;
      state.submitting = true;
      state.alert = null;
      render();
      const v = state.values;
      let response;
      let data;
      try {
        response = await fetch('/api/invitations/' + encodeURIComponent(token) + '/accept', {
          method: 'POST',
          credentials: 'same-origin',
          headers: {
            'Content-Type': 'application/json',
            Accept: 'application/json',
            'X-CSRF-Token': csrfToken(),
          },
          body: JSON.stringify({
            email: v.email,
            first_name: v.first_name,
            last_name: v.last_name,
            password: v.password,
            password_confirmation: v.password_confirmation,
            accept_terms: v.accept_terms,
          }),
        });
        data = await response.json().catch(() => ({}));
      } catch (e) {
        state.submitting = false;
        state.alert = 'Cannot reach Engage. Check your connection and try again.';
        render();
        return;
      }
      outcome(response.status, data);
    }

    function outcome(status, data) {
      state.submitting = false;
      if (status === 201) {
        const meta = document.querySelector('meta[name="csrf-token"]');
        if (meta && data.csrf_token) meta.content = data.csrf_token;
        navigate(data.redirect || '/home', { user: data.user });
      } else if (status === 200 && data.status === 'confirmation_required') {
        navigate('/confirm-email', { message: data.message });
      } else if (status === 404 || status === 410) {
        failed(errorTitle(data), data);
      } else if (status === 422 && Array.isArray(data.errors)) {
        state.errors = data.errors;
        state.alert = null;
        render();
        const first = state.errors.map((e) => inputs[e.field]).find((input) => input);
        if (first) first.focus();
      } else {
        state.errors = [];
        state.alert = data.message || 'Something went wrong (' + status + '). Please try again.';
        render();
      }
    }
  }

  async function home(user) {
    document.title = 'Home | Engage';
    if (!user) {
      const answer = await getJson('/api/me').catch(() => ({ status: 0, data: {} }));
      if (answer.status !== 200) {
        window.location.assign('/login');
        return;
      }
      user = answer.data;
    }
    mount(
      h('nav', { class: 'user-nav' }, [h('a', { href: '/home', text: 'Home' })]),
      h('h1', { class: 'welcome', text: 'Welcome, ' + user.first_name + '!' }),
      h('p', { text: 'Your account is ready.' }),
    );
  }

  function route() {
    const path = window.location.pathname;
    const state = history.state || {};
    const join = path.match(/^\/join\/([^/]+)$/);
    if (path === '/invitations/accept') {
      signup(new URLSearchParams(window.location.search).get('token') || '');
    } else if (join) {
      signup(decodeURIComponent(join[1]));
    } else if (path === '/home') {
      home(state.user);
    } else if (path === '/invitations/error') {
      notice(state.title || 'Invitation not found', state.message || 'This invitation link is invalid.', 'alert');
    } else if (path === '/confirm-email') {
      notice('Almost there', state.message || 'Confirm your email address to finish.');
    } else {
      notice('Page not found', "The page you were looking for doesn't exist.");
    }
  }

  window.addEventListener('popstate', route);
  route();
})();
