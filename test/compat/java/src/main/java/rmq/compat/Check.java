package rmq.compat;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Assertions and deadline polling for the scenarios; a failure is a CheckFailed. */
final class Check {
  private Check() {}

  static final class CheckFailed extends RuntimeException {
    CheckFailed(String message) {
      super(message);
    }
  }

  static void fail(String message) {
    throw new CheckFailed(message);
  }

  static void isTrue(boolean condition, String what) {
    if (!condition) fail(what);
  }

  static void equal(Object expected, Object actual, String what) {
    if (!Objects.equals(expected, actual)) {
      fail(what + ": expected <" + expected + "> but got <" + actual + ">");
    }
  }

  /**
   * Polls condition every 20 ms until it holds; fails after timeout with what
   * and the detail supplier's view of the state at that moment.
   */
  static void await(BooleanSupplier condition, Duration timeout, String what, Supplier<String> detail)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail("timed out after " + timeout.toMillis() + " ms waiting for " + what + " (" + detail.get() + ")");
      }
      Thread.sleep(20);
    }
  }
}
