import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** A refresh token: 32 random bytes, base64url (43 characters). */
export const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const newRefreshToken = (): string => randomBytes(32).toString('base64url');

/** The SHA-256 of a refresh token, base64url: what the table stores and looks tokens up by. */
export const hashRefreshToken = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** Session ids are random UUIDs (lower case). */
export const SESSION_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const newSessionId = (): string => randomUUID();
