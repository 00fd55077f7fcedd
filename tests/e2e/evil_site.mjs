// A page on another origin that tries every way a web page can reach a dashboard server: a
// no-cors "simple" POST, a JSON POST with a guessed token, a cross-origin read, and a
// text/plain form post shaped as JSON. Each asks for a rollback of `steps`. The page records
// what it saw in window.results and sets window.done. Shared by the browser tests of the
// `dashboard` command and of auric-migrate-dashboard. Listens on 127.0.0.1, an ephemeral port.
import { createServer } from 'node:http';

export function startEvilSite(target, steps) {
  const html = `<!doctype html><title>evil</title><body>
<form id="f" method="POST" action="${target}/api/rollback" enctype="text/plain" target="sink">
<input name='{"steps":${steps},"x":"' value='"}'></form><iframe name="sink"></iframe>
<script>
  window.results = [];
  const record = (name, p) => p.then((r) => window.results.push([name, r.type, r.status]), (e) => window.results.push([name, 'error', String(e)]));
  Promise.allSettled([
    record('simple', fetch('${target}/api/rollback', { method: 'POST', mode: 'no-cors', body: '{"steps":${steps}}', headers: { 'Content-Type': 'text/plain' } })),
    record('json', fetch('${target}/api/rollback', { method: 'POST', body: '{"steps":${steps}}', headers: { 'Content-Type': 'application/json', 'X-Auric-Token': 'guess' } })),
    record('read', fetch('${target}/api/migrations')),
  ]).then(() => { document.getElementById('f').submit(); setTimeout(() => { window.done = true; }, 1000); });
</script></body>`;
  const server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(html);
  });
  return new Promise((resolvePromise) => server.listen(0, '127.0.0.1', () => resolvePromise(server)));
}
