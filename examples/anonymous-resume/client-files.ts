/**
 * The example's client pages as `startDemoServer` serves them (npm run example:teleprinter and the
 * browser tests): the AWS sample's page at `/`, and the same teleprinter on the client library at
 * `/library.html`, which imports the library's bundle from `/client.js`.
 */
import path from 'node:path';
import { CLIENT_BUNDLE } from '../../sandbox/demo-server';

export const CLIENT_PAGES = {
  dir: path.join(__dirname, 'client'),
  files: {
    '/': 'index.html',
    '/index.html': 'index.html',
    '/teleprinter.js': 'teleprinter.js',
    '/library.html': 'library.html',
    '/library.js': 'library.js',
  },
  generated: CLIENT_BUNDLE,
};
