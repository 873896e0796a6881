/** The rget file server (Netty): RFC 9110 ranges and conditional requests, zero-copy bodies. */
package dev.rget.server;
