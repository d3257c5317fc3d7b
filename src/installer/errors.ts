/** Every way a build fails; each code carries the one change a user makes to fix it. */
export type BuildErrorCode =
  | 'CONFIG_INVALID'
  | 'APT_KEYS_NOT_FOUND'
  | 'APT_KEY_INVALID'
  | 'APT_SIGNATURE_INVALID'
  | 'APT_INDEX_NOT_FOUND'
  | 'APT_INDEX_CHECKSUM_MISMATCH'
  | 'AGENT_VERSION_NOT_FOUND'
  | 'DOWNLOAD_FAILED'
  | 'CHECKSUM_MISMATCH'
  | 'DEB_INVALID'
  | 'UNSAFE_ARCHIVE_ENTRY'
  | 'TOOL_MISSING'
  | 'BUILDPACK_INCOMPLETE'
  | 'TARGET_UNSUPPORTED';

/** A build failure: `message` says what happened, `fix` the one line that says what to change. */
export class BuildError extends Error {
  readonly code: BuildErrorCode;
  readonly fix: string;
  /** Extra detail lines printed between the message and the fix (e.g. available versions). */
  readonly details: readonly string[];
  constructor(code: BuildErrorCode, message: string, fix: string, details: readonly string[] = []) {
    super(message);
    this.name = 'BuildError';
    this.code = code;
    this.fix = fix;
    this.details = details;
  }
}
