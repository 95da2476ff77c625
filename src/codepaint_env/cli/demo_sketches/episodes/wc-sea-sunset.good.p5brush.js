// A calm sea at sunset: an orange sun low on the horizon, its reflection broken into strokes on a blue sea.
// Written for the task from the loved reference p5brush-seascape-04 (its wavy wash bands and glitter path):
// an orange sky instead of rose, a blue sea instead of violet, a larger sun, no sailboat.
function band(yTop, yBot, amp, f, ph) {
  const pts = [];
  for (let x = -300; x <= 300; x += 30) pts.push([x, yTop + (yTop > -250 ? amp * sin(x * f + ph + 90) : 0)]);
  for (let x = 300; x >= -300; x -= 30) pts.push([x, yBot + amp * sin(x * f + ph)]);
  return pts;
}
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#fbf1df');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // sky: deep orange at the top, pale gold at the horizon
  const sky = [['#f3722c', -300, -170], ['#f8961e', -190, -110], ['#f9b25a', -125, -60], ['#fbd38d', -75, 35]];
  for (const [c, a, b] of sky) {
    brush.fill(c, 240);
    brush.fillBleed(0.3);
    brush.fillTexture(0.45, 0.25);
    brush.polygon(band(a, b, 8, 1.2, a));
  }
  // the sun, low on the horizon
  brush.fill('#f3722c', 235);
  brush.fillBleed(0.3);
  brush.circle(-40, 20, 62);
  brush.fill('#fbc46d', 220);
  brush.circle(-40, 20, 36);

  // sea bands: calm, blue, darker towards the viewer
  const sea = [['#5b9bbd', 30, 110], ['#3d86ad', 95, 200], ['#277da1', 185, 300]];
  for (const [c, a, b] of sea) {
    brush.fill(c, 250);
    brush.fillBleed(0.15);
    brush.fillTexture(0.5, 0.3);
    brush.polygon(band(a, b, 2, 2.5, b));
    brush.polygon(band(a, b, 2, 2.5, b));
  }
  // the reflection, broken into short strokes that widen toward the viewer
  noStroke();
  for (let i = 0; i < 14; i++) {
    const y = 40 + i * 18 + random(-3, 3);
    const w = 14 + i * 8;
    const x = -40 + random(-w * 0.3, w * 0.3);
    fill(i % 2 ? '#fbc46d' : '#f9a341');
    rect(x - w / 2, y, w, 4, 2);
  }
}
