// The reference tus server (@tus/server with @tus/file-store) on a free loopback port, storing
// uploads in DIR. Prints "listening PORT". Lives until killed.
// usage: node tus-server.js DIR
'use strict';
const http = require('http');
const { Server } = require('@tus/server');
const { FileStore } = require('@tus/file-store');

const dir = process.argv[2];
const tus = new Server({ path: '/files', datastore: new FileStore({ directory: dir }) });
const server = http.createServer((req, res) => tus.handle(req, res));
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
