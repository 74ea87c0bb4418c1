export { loadConfig, type LoadOptions } from "./load.ts";
export { SETTINGS, type Config, type ConfigKey } from "./schema.ts";
export { userCacheDir, userConfigFile } from "./user-files.ts";
