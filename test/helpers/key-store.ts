/** The SSM / Secrets Manager endpoint of the sandbox (sandbox/key-store.ts), which the tests drive with its fault knobs. */
export { startKeyStore, type KeyStore, type KeyStoreRequest } from '../../sandbox/key-store';
