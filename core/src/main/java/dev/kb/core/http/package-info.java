/**
 * What every remote call of kb shares: the OkHttp clients and the one retry policy (which
 * failures are transient, how long to wait, Retry-After), used alike by URL fetching and the
 * PageIndex Cloud client, and a sleeper tests can replace.
 */
package dev.kb.core.http;
