// Sunset over the sea: rose-to-gold sky bands, a glowing sun sitting on the horizon, a violet sea with a golden glitter path and a small dark sailboat.
function band(yTop, yBot, amp, f, ph) {
  // closed strip with wavy lower edge; vertices every 30 px so edges stay soft
  const pts = [];
  for (let x = -300; x <= 300; x += 30) pts.push([x, yTop + (yTop > -250 ? amp * sin(x * f + ph + 90) : 0)]);
  for (let x = 300; x >= -300; x -= 30) pts.push([x, yBot + amp * sin(x * f + ph)]);
  return pts;
}
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f8ecdc');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  const sky = [['#cf5f79', -300, -150], ['#ea7f5c', -170, -90], ['#f4a857', -110, -35], ['#f8d07c', -50, 15]];
  for (const [c, a, b] of sky) {
    brush.fill(c, 245);
    brush.fillBleed(0.3);
    brush.fillTexture(0.45, 0.25);
    brush.polygon(band(a, b, 9, 1.4, a));
  }
  // the sun: an opaque warm disc on the horizon with a halo
  brush.fill('#fbe3a0', 230);
  brush.fillBleed(0.35);
  brush.circle(20, 0, 70);
  brush.wash('#fff4d6', 255);
  brush.circle(20, 0, 40);
  brush.noWash();

  // sea bands
  const sea = [['#9a6a9a', 8, 95], ['#7a4d86', 80, 180], ['#56305f', 165, 300]];
  for (const [c, a, b] of sea) {
    brush.fill(c, 250);
    brush.fillBleed(0.15);
    brush.fillTexture(0.5, 0.3);
    brush.polygon(band(a, b, 3, 2.5, b));
    brush.polygon(band(a, b, 3, 2.5, b));
  }
  // glitter path: thin gold strips widening toward the viewer
  brush.wash('#f7c867', 235);
  for (let i = 0; i < 15; i++) {
    const y = 18 + i * 16 + random(-3, 3);
    const w = 12 + i * 7;
    const x = 20 + random(-w * 0.3, w * 0.3);
    brush.polygon([[x - w / 2, y], [x + w / 2, y - 1], [x + w / 2 - 4, y + 3], [x - w / 2 + 4, y + 3]]);
  }
  brush.noWash();
  // sailboat silhouette
  brush.fill('#2a1536', 255);
  brush.fillBleed(0.02);
  brush.polygon([[-150, 58], [-150, -18], [-116, 54]]);
  brush.polygon([[-155, 58], [-170, 16], [-157, 56]]);
  brush.polygon([[-180, 60], [-110, 60], [-121, 70], [-170, 70]]);
}
