// A golden morning sea: lemon and ochre sky, a bright sun low over the water, gold-olive waves and two dark fishing boats.
function band(yTop, yBot, amp, f, ph) {
  const pts = [];
  for (let x = -300; x <= 300; x += 30) pts.push([x, yTop]);
  for (let x = 300; x >= -300; x -= 30) pts.push([x, yBot + amp * sin(x * f + ph)]);
  return pts;
}
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#fbf3dc');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // sky: ochre at the top, lemon lower, paper glow around the sun
  brush.fill('#e9b53f', 245);
  brush.fillBleed(0.3);
  brush.fillTexture(0.45, 0.3);
  brush.polygon(band(-300, -170, 12, 1.5, 0));
  brush.fill('#f4d768', 235);
  brush.polygon(band(-180, -110, 10, 1.8, 60));
  brush.fill('#f7e58f', 220);
  brush.polygon([[-300, -120], [-60, -115], [-70, 0], [-300, 0]]);
  brush.polygon([[300, -120], [120, -115], [130, 0], [300, 0]]);
  // sun on the paper gap
  brush.fill('#fbe26f', 255);
  brush.fillBleed(0.12);
  brush.circle(30, -50, 30);

  // sea bands
  const sea = [['#d9b64a', 0, 90], ['#b99a36', 80, 180], ['#8a7a2c', 170, 300]];
  for (const [c, a, b] of sea) {
    const pts = [];
    for (let x = -300; x <= 300; x += 30) pts.push([x, a + 3 * sin(x * 3 + a)]);
    pts.push([300, 300], [-300, 300]);
    brush.fill(c, 250);
    brush.fillBleed(0.15);
    brush.fillTexture(0.5, 0.3);
    brush.polygon(pts);
    brush.polygon(pts);
  }
  // glints
  brush.set('2B', '#fff3b0', 2.2);
  for (let i = 0; i < 14; i++) {
    const y = 12 + i * 16, w = 12 + i * 6;
    const x = 30 + random(-w * 0.4, w * 0.4);
    brush.line(x - w / 2, y, x + w / 2, y);
  }
  // fishing boats
  brush.noStroke();
  const boats = [[-150, 70, 1], [150, 130, 1.3]];
  for (const [bx, by, s] of boats) {
    brush.fill('#3b2a1a', 255);
    brush.fillBleed(0.03);
    brush.polygon([[bx - 45 * s, by - 10 * s], [bx + 45 * s, by - 10 * s], [bx + 32 * s, by], [bx - 34 * s, by]]);
    brush.set('pen', '#3b2a1a', 1);
    brush.line(bx + 10 * s, by - 10 * s, bx + 10 * s, by - 60 * s);
    brush.line(bx + 10 * s, by - 60 * s, bx + 45 * s, by - 18 * s);
    brush.line(bx - 15 * s, by - 10 * s, bx - 15 * s, by - 26 * s);
    brush.noStroke();
    brush.fill('#3b2a1a', 255);
    brush.circle(bx - 15 * s, by - 29 * s, 3.5 * s);
  }
}
