package dev.ferry.backend;

import dev.ferry.transport.IoRuntime;
import dev.ferry.tunnel.mux.DatagramFlow;
import dev.ferry.tunnel.mux.DatagramReceiver;
import dev.ferry.tunnel.mux.FlowAcceptor;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * The backend's end of UDP flows: each flow a frontend opens gets a UDP socket of its own ({@link RelayedFlow}),
 * which sends the flow's datagrams to their destinations and returns whatever comes back, until the flow has been
 * silent for the idle time.
 */
final class UdpRelay implements FlowAcceptor {
    private final IoRuntime io;
    private final DestinationPolicy policy;
    private final Duration idle;
    private final Executor resolver;

    UdpRelay(IoRuntime io, DestinationPolicy policy, Duration idle, Executor resolver) {
        this.io = io;
        this.policy = policy;
        this.idle = idle;
        this.resolver = resolver;
    }

    @Override
    public DatagramReceiver onNewFlow(DatagramFlow flow) {
        return RelayedFlow.open(flow, io, policy, idle, resolver);
    }
}
