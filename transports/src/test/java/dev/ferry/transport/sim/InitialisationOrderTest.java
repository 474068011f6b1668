package dev.ferry.transport.sim;

import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** {@code LinkProfile.PERFECT} has its burst model whichever of the two classes a program touches first. */
class InitialisationOrderTest {
    @Test
    void perfectHasABurstModelWhenGilbertElliottLoadsFirst() throws Exception {
        URL classes = GilbertElliott.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader fresh = new URLClassLoader(new URL[] {classes}, null)) {
            Class.forName(GilbertElliott.class.getName(), true, fresh);
            Class<?> profile = Class.forName(LinkProfile.class.getName(), true, fresh);
            Object perfect = profile.getField("PERFECT").get(null);
            assertNotNull(profile.getMethod("burst").invoke(perfect), "LinkProfile.PERFECT.burst()");
        }
    }
}
