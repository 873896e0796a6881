// Uploads FILE to a tus endpoint with tus-js-client, resuming a previous upload of the same file
// recorded in STORAGE (tus-js-client's own FileUrlStorage). Prints "resumed OFFSET" or "new",
// "progress SENT TOTAL" after each chunk, then "done URL". DELAY_MS pauses before each request so a
// test can kill this process part-way. PROTOCOL is tus-v1 (the default) or ietf-draft-05 (the IETF
// draft, interop version 6); PARALLEL > 1 sends that many parts through tus concatenation.
// usage: node tus-js-upload.js ENDPOINT FILE STORAGE CHUNK_SIZE DELAY_MS [TOKEN [PROTOCOL [PARALLEL]]]
'use strict';
const fs = require('fs');
const path = require('path');
const tus = require('tus-js-client');

const [endpoint, file, storage, chunkSize, delayMs, token, protocol, parallel] = process.argv.slice(2);
const headers = token ? { Authorization: 'Bearer ' + token } : {};
const parts = Number(parallel || 1);
// Parallel parts read the file by ranges, which a stream cannot give. Over the draft, the last
// chunk must say Upload-Complete: ?1, which tus-js-client knows only when it knows where the source
// ends: a stream's end shows only after its last chunk went out (as ?0, leaving the upload open).
const draft = (protocol || '').startsWith('ietf-draft');
const source = parts > 1 || draft ? fs.readFileSync(file) : fs.createReadStream(file);
const upload = new tus.Upload(source, {
  endpoint,
  protocol: protocol || 'tus-v1',
  parallelUploads: parts,
  chunkSize: Number(chunkSize),
  retryDelays: [100, 500, 1000],
  headers,
  metadata: { filename: path.basename(file) },
  urlStorage: new tus.FileUrlStorage(storage),
  onBeforeRequest: () => new Promise((resolve) => setTimeout(resolve, Number(delayMs))),
  onChunkComplete: (chunk, sent, total) => console.log('progress ' + sent + ' ' + total),
  onError: (err) => {
    console.error('error ' + err);
    process.exit(1);
  },
  onSuccess: () => console.log('done ' + upload.url),
});
upload.findPreviousUploads().then((previous) => {
  if (previous.length > 0) {
    upload.resumeFromPreviousUpload(previous[0]);
    console.log('resuming ' + previous[0].uploadUrl);
  } else {
    console.log('new');
  }
  upload.start();
});
