// Key entry: pasted once, kept in sessionStorage for this tab. The server's page already says
// where keys come from (the footer, filled in by the server); this panel asks for one when needed.
import { forgetKey, getKey, keysRequired, setKey } from './api.ts';
import { byId, h, replace } from './dom.ts';

let invalid: string | null = null;

/** The header's key status and, when a key is needed and missing or refused, the panel asking for it. */
export function renderKey(): void {
  const status = byId('key-status');
  const panel = byId('key-panel');
  const key = getKey();
  if (!keysRequired) {
    replace(status, h('span', { class: 'badge open', title: 'No API key needed; every client sees every job.' }, 'Open server'));
    replace(panel);
    return;
  }
  replace(
    status,
    key
      ? [h('span', { class: 'badge ok' }, 'Key set'), ' ', h('button', { type: 'button', class: 'link', onclick: () => forgetKey() }, 'Forget key')]
      : h('span', { class: 'badge warn' }, 'No key'),
  );
  if (key && invalid === null) {
    replace(panel);
    return;
  }
  const input = h('input', { id: 'api-key', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'api-key-help api-key-error' });
  const form = h(
    'form',
    {
      class: 'card key-form',
      'aria-labelledby': 'key-title',
      onsubmit: (e: Event) => {
        e.preventDefault();
        if (!input.value.trim()) return;
        invalid = null;
        setKey(input.value);
      },
    },
    h('h2', { id: 'key-title' }, 'API key'),
    h(
      'p',
      { id: 'api-key-help' },
      'This server needs an API key. Ask its operator for one (they list keys in MELT_API_KEYS or MELT_API_KEYS_FILE). ',
      'It is kept in this tab only (sessionStorage) and sent as Authorization: Bearer on each call; each key sees only its own jobs.',
    ),
    h('label', { for: 'api-key' }, 'Key'),
    h('div', { class: 'row' }, input, h('button', { type: 'submit' }, 'Use key')),
    h('p', { id: 'api-key-error', class: 'field-error', role: 'alert' }, invalid ?? ''),
  );
  replace(panel, form);
}

/** Wires the key panel to the events that change it. */
export function initKey(onChange: () => void): void {
  window.addEventListener('meltgen:key', () => {
    renderKey();
    onChange();
  });
  window.addEventListener('meltgen:unauthorized', (e) => {
    if (!keysRequired) return;
    invalid = getKey() ? `The server refused this key: ${String((e as CustomEvent<string | undefined>).detail ?? 'not valid')}` : null;
    if (invalid) forgetKey();
    renderKey();
  });
  renderKey();
}
