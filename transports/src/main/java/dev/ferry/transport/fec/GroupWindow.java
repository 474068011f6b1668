package dev.ferry.transport.fec;

import java.util.function.Consumer;

/**
 * The {@code groupWindow} most recent group numbers, each with its {@link GroupState} in a ring slot
 * ({@code group & mask}). A shard of a newer group moves the window forward and retires the groups that fall out of
 * it (at most one pass over the ring, however far the jump); a shard of a group at or beyond the window's tail is
 * stale. Group numbers wrap: age is the sign of the 32-bit difference.
 */
final class GroupWindow {
    private final GroupState[] ring;
    private final int mask;
    private final Consumer<GroupState> retire;
    private boolean started;
    private int newest;

    /** {@code retire} sees each group as it leaves the window, before its state is reused. */
    GroupWindow(int size, Consumer<GroupState> retire) {
        this.ring = new GroupState[size];
        for (int i = 0; i < size; i++) {
            ring[i] = new GroupState();
        }
        this.mask = size - 1;
        this.retire = retire;
    }

    /** The state of {@code group}, fresh when first seen; null when the group is too far behind to track. */
    GroupState lookup(int group) {
        if (!started) {
            started = true;
            newest = group;
        }
        int ahead = group - newest;
        if (ahead > 0) {
            int steps = Math.min(ahead, ring.length);
            for (int s = 1; s <= steps; s++) {
                GroupState slot = ring[(newest + s) & mask];
                if (slot.inUse) {
                    retire.accept(slot);
                    slot.inUse = false;
                }
            }
            newest = group;
        } else if (ahead <= -ring.length) {
            return null;
        }
        GroupState slot = ring[group & mask];
        if (!slot.inUse) {
            slot.reset(group);
        }
        return slot;
    }

    /** Groups currently tracked. */
    int tracked() {
        int n = 0;
        for (GroupState g : ring) {
            n += g.inUse ? 1 : 0;
        }
        return n;
    }
}
