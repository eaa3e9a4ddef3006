export { SettingsStore } from './store';
export { fileStamp, writeFileAtomic } from './atomic-file';
export { DEFAULT_SETTINGS, ENV_OVERRIDES } from './defaults';
export { defaultDataDir, projectRoot } from './paths';
export {
  FileSecretStore,
  EncryptedSecretStore,
  ensureSecret,
  ENCRYPTED_SECRETS_FILE,
  type SecretStore,
} from './secrets';
export {
  chooseSecretStore,
  moveSecrets,
  openDesktopSecretStore,
  type SafeStorageLike,
  type SecretStoreChoice,
} from './secret-store-choice';
