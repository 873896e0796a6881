package dev.rget.core;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What a finished download produced.
 *
 * @param path the complete file
 * @param length its length in bytes
 * @param bytesFetched body bytes received from the network in this run
 * @param resumedBytes bytes kept from an earlier interrupted run
 * @param elapsed wall time of this run
 */
public record DownloadResult(Path path, long length, long bytesFetched, long resumedBytes,
    Duration elapsed) {}
