export { SettingsStore, writeFileAtomic } from './store';
export { DEFAULT_SETTINGS, ENV_OVERRIDES } from './defaults';
export { defaultDataDir, projectRoot } from './paths';
export { FileSecretStore, EncryptedSecretStore, ensureSecret, type SecretStore } from './secrets';
