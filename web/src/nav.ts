/** Moves to a view (`#/jobs/<id>`, `#/new`, `#/`); the same one is shown again, fresh. */
export function go(hash: string): void {
  if (location.hash === hash) window.dispatchEvent(new Event('meltgen:route'));
  else location.hash = hash;
}
