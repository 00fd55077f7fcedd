// A counting HTTP proxy for benchmarks: forwards every request to TARGET (e.g. dynalite) and
// appends one line per request (its X-Amz-Target) to COUNT_FILE, so a script can count the
// requests one command made. Listens on 127.0.0.1 on an ephemeral port and prints it; stops
// when its parent's stdin closes.
// Usage: node bench/count_proxy.mjs http://127.0.0.1:PORT COUNT_FILE
import http from 'node:http';
import fs from 'node:fs';

const [target, countFile] = process.argv.slice(2);
const upstream = new URL(target);
const server = http.createServer((req, res) => {
  fs.appendFileSync(countFile, `${req.headers['x-amz-target'] ?? req.method}\n`);
  const forward = http.request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  forward.on('error', () => {
    res.writeHead(502);
    res.end();
  });
  req.pipe(forward);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
