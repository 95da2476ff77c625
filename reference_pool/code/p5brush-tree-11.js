// A bare winter oak in grey: charcoal trunk and branching limbs over a snowy field and a soft grey sky.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f2f2f0');
  brush.scaleBrushes(1.5);

  brush.noStroke();
  brush.fill('#c9cbcd', 200);
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.4);
  brush.rect(-256, -256, 512, 380);
  brush.fill('#e8e9ea', 200);
  brush.fillBleed(0.3);
  brush.beginShape(0.7);
  brush.vertex(-256, 130); brush.vertex(-60, 110); brush.vertex(120, 125); brush.vertex(256, 115); brush.vertex(256, 256); brush.vertex(-256, 256);
  brush.endShape(true);
  // distant treeline
  brush.fill('#9a9ea2', 170);
  brush.fillBleed(0.2);
  brush.beginShape(0.5);
  brush.vertex(-256, 125); brush.vertex(-200, 105); brush.vertex(-140, 112); brush.vertex(-90, 100); brush.vertex(-40, 118); brush.vertex(-40, 130); brush.vertex(-256, 135);
  brush.endShape(true);

  // recursive branches
  const branch = (x, y, a, len, w, d) => {
    const x2 = x + len * cos(a), y2 = y + len * sin(a);
    brush.set(d < 2 ? 'charcoal' : '2B', d < 2 ? '#2a2b2d' : '#45484b', w);
    brush.line(x, y, x2, y2);
    if (d >= 5) return;
    branch(x2, y2, a - random(15, 32), len * random(0.68, 0.8), w * 0.7, d + 1);
    branch(x2, y2, a + random(15, 32), len * random(0.68, 0.8), w * 0.7, d + 1);
  };
  // trunk body
  brush.fill('#3a3c3f', 230);
  brush.fillBleed(0.08);
  brush.fillTexture(0.6, 0.7);
  brush.beginShape(0.4);
  brush.vertex(-30, 152); brush.vertex(-14, 100); brush.vertex(-12, 10); brush.vertex(-30, -30); brush.vertex(0, 0); brush.vertex(28, -25); brush.vertex(12, 10); brush.vertex(14, 100); brush.vertex(34, 152);
  brush.endShape(true);
  brush.noFill();
  branch(-20, -25, -125, 70, 2.2, 1);
  branch(2, -5, -88, 80, 2.2, 1);
  branch(22, -22, -50, 72, 2.2, 1);
  branch(-12, 30, -160, 55, 1.6, 2);
  branch(12, 40, -20, 55, 1.6, 2);
  // shadow on snow
  brush.noStroke();
  brush.fill('#b3b7bc', 150);
  brush.fillBleed(0.2);
  brush.beginShape(0.8);
  brush.vertex(-10, 150); brush.vertex(120, 160); brush.vertex(150, 175); brush.vertex(0, 168);
  brush.endShape(true);
}
