/** Short-lived access tokens (JWTs) for user sessions, renewed with the session's refresh token. See README.md. */
export { ACCESS_TOKEN_TTL_BOUNDS, createAccessTokens, type AccessClaims, type AccessToken, type AccessTokenOptions, type AccessTokens } from './issuer';
export { loadSigningKey, signingKey, type AccessTokenAlgorithm, type SigningKey } from './signing-key';
