/** The {@code rget} command line. */
module dev.rget.cli {
  requires dev.rget.core;
  requires dev.rget.server;
  requires dev.rget.daemon;
  requires info.picocli;

  // picocli reads the commands' annotated fields and methods reflectively.
  opens dev.rget.cli to info.picocli;
}
