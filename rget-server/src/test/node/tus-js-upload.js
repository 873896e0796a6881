// Uploads FILE to a tus endpoint with tus-js-client, resuming a previous upload of the same file
// recorded in STORAGE (tus-js-client's own FileUrlStorage). Prints "resumed OFFSET" or "new",
// "progress SENT TOTAL" after each chunk, then "done URL". DELAY_MS pauses before each request so a
// test can kill this process part-way.
// usage: node tus-js-upload.js ENDPOINT FILE STORAGE CHUNK_SIZE DELAY_MS [TOKEN]
'use strict';
const fs = require('fs');
const path = require('path');
const tus = require('tus-js-client');

const [endpoint, file, storage, chunkSize, delayMs, token] = process.argv.slice(2);
const headers = token ? { Authorization: 'Bearer ' + token } : {};
const upload = new tus.Upload(fs.createReadStream(file), {
  endpoint,
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
