/** The one base error of the local auth module: bad issuer input or an unreadable key file. */
export class LocalAuthError extends Error {
  override readonly name: string = 'LocalAuthError';
}
