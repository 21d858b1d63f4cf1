package io.pgmemo.proxy.session;

import java.util.Arrays;

/** The (process ID, secret key) pair from BackendKeyData that names a session for CancelRequest. */
record CancelKey(int processId, byte[] secretKey) {

    @Override
    public boolean equals(Object other) {
        return other instanceof CancelKey that && processId == that.processId
                && Arrays.equals(secretKey, that.secretKey);
    }

    @Override
    public int hashCode() {
        return 31 * processId + Arrays.hashCode(secretKey);
    }

    @Override
    public String toString() {
        return "CancelKey[processId=" + processId + "]";
    }
}
