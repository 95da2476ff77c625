// A burgundy-red 'Moulin Rouge' sunflower with dark chocolate centre and golden petal tips on cream paper.
function ray(a, r0, len, w, col, op) {
  push();
  rotate(a);
  brush.fill(col, op);
  brush.beginShape(0.7);
  brush.vertex(r0, -w * 0.5);
  brush.vertex(r0 + len * 0.6, -w * 0.6);
  brush.vertex(r0 + len, 0);
  brush.vertex(r0 + len * 0.6, w * 0.6);
  brush.vertex(r0, w * 0.5);
  brush.endShape(true);
  pop();
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6efe0');
  brush.noFill();
  brush.set('charcoal', '#4d6b2f', 2);
  brush.spline([[-10, 60], [-30, 160], [-60, 260]], 0.5);
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.45, 0.4);
  brush.fill('#5a7f38', 190);
  brush.polygon([[-24, 188], [-68, 152], [-138, 132], [-203, 142], [-148, 177], [-78, 197]]);

  translate(0, -30);
  brush.set('HB', '#5c1420', 0.5);
  brush.fillBleed(0.25);
  brush.fillTexture(0.5, 0.55);
  for (let i = 0; i < 14; i++) ray(i * (360 / 14) + 12, 50, 125 + random(-10, 10), 46, '#9e1f2e', 215);
  brush.noStroke();
  for (let i = 0; i < 14; i++) ray(i * (360 / 14) + 12, 120, 50, 30, '#e0a23a', 120);
  for (let i = 0; i < 14; i++) ray(i * (360 / 14), 48, 95 + random(-10, 10), 38, '#b8283a', 200);

  brush.fillBleed(0.15);
  brush.fill('#3a1e10', 240);
  brush.circle(0, 0, 66, 0.2);
  brush.noStroke();
  brush.hatch(3.5, 20, {rand: 0.3});
  brush.hatchStyle('charcoal', '#4a2414', 0.8);
  brush.circle(0, 0, 58);
  brush.hatch(9, -40, {rand: 0.25});
  brush.hatchStyle('2B', '#1e0f08', 0.6);
  brush.circle(0, 0, 60);
  brush.noHatch();
  brush.set('charcoal', '#d9a43a', 1.2);
  brush.circle(0, 0, 30);
}
