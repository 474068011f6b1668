package dev.ferry.frontend.netns;

/**
 * A client LAN, a gateway and a server, each a namespace of one {@link NetnsLab}:
 *
 * <pre>
 *   LAN                      GW                                      SRV
 *   lan0 ─────────────────── gw-lan            gw-srv ────────────── srv0
 *   192.168.200.2/24         192.168.200.1/24  192.168.201.1/30      192.168.201.2/30
 *   default via GW           default dev sink0 (drops everything)    lo: 10.77.0.1/32
 *   (IPv6: fd77:200::2/64)   (IPv6: fd77:200::1/64, default sink0)   (IPv6 lo: fd77::1/128)
 * </pre>
 *
 * What must hold: the destination {@link #DEST_IP} exists only in SRV, and neither LAN nor GW has a route to it (GW's
 * default route leads into a sink, SRV has no route back to the LAN), so from LAN or GW it is reachable only through a
 * tunnel whose backend runs in SRV. GW forwards (it is the LAN's router), so a connection the gateway does not
 * intercept leaves by the default route and goes nowhere. Reusable for any gateway-style test (REDIRECT, TPROXY).
 */
final class GatewayTopology {
    static final String LAN_IP = "192.168.200.2";
    static final String GW_LAN_IP = "192.168.200.1";
    static final String GW_TUNNEL_IP = "192.168.201.1";
    static final String SRV_IP = "192.168.201.2";
    static final String DEST_IP = "10.77.0.1";
    static final String DEST_NET = "10.77.0.0/16";
    static final String LAN_IP6 = "fd77:200::2";
    static final String GW_LAN_IP6 = "fd77:200::1";
    static final String DEST_IP6 = "fd77::1";
    static final String DEST_NET6 = "fd77::/64";
    static final String LAN_DEV = "lan0";
    static final String GW_LAN_DEV = "gw-lan";
    static final String GW_TUNNEL_DEV = "gw-srv";
    static final String GW_SINK_DEV = "sink0";
    static final String SRV_DEV = "srv0";

    final NetnsLab lab;
    final String lan;
    final String gw;
    final String srv;

    private GatewayTopology(NetnsLab lab, String lan, String gw, String srv) {
        this.lab = lab;
        this.lan = lan;
        this.gw = gw;
        this.srv = srv;
    }

    /** Builds the IPv4 topology in {@code lab}; whatever it gets to is torn down by the lab's close. */
    static GatewayTopology build(NetnsLab lab) {
        GatewayTopology t = new GatewayTopology(lab, lab.addNamespace("lan"), lab.addNamespace("gw"),
                lab.addNamespace("srv"));
        lab.addVeth(t.lan, LAN_DEV, t.gw, GW_LAN_DEV);
        lab.addVeth(t.gw, GW_TUNNEL_DEV, t.srv, SRV_DEV);
        lab.addAddress(t.lan, LAN_DEV, LAN_IP + "/24");
        lab.addAddress(t.gw, GW_LAN_DEV, GW_LAN_IP + "/24");
        lab.addAddress(t.gw, GW_TUNNEL_DEV, GW_TUNNEL_IP + "/30");
        lab.addAddress(t.srv, SRV_DEV, SRV_IP + "/30");
        lab.addAddress(t.srv, "lo", DEST_IP + "/32");
        lab.ip(t.lan, "route", "add", "default", "via", GW_LAN_IP);
        lab.addSink(t.gw, GW_SINK_DEV);
        lab.ip(t.gw, "route", "add", "default", "dev", GW_SINK_DEV);
        lab.sysctl(t.gw, "net/ipv4/ip_forward", "1");
        return t;
    }

    /** Adds the IPv6 side: LAN and GW addresses, LAN's default route via GW, GW's into the sink, and SRV's destination. */
    void addIpv6() {
        lab.addAddress(lan, LAN_DEV, LAN_IP6 + "/64");
        lab.addAddress(gw, GW_LAN_DEV, GW_LAN_IP6 + "/64");
        lab.addAddress(srv, "lo", DEST_IP6 + "/128");
        lab.ip(lan, "-6", "route", "add", "default", "via", GW_LAN_IP6);
        lab.ip(gw, "-6", "route", "add", "default", "dev", GW_SINK_DEV);
        lab.sysctl(gw, "net/ipv6/conf/all/forwarding", "1");
    }
}
