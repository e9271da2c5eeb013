// The reference: a bare node:http server answering a fixed JSON body, as cheap as a Node server gets.
import { createServer } from 'node:http';

const body = JSON.stringify({ ContactId: '00000000-0000-4000-8000-000000000000' });
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
