// A big sunflower head high in the frame on a single stem with one leaf, two rings of golden petals around a hatched brown seed disc, on a pale sky wash.
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
  background('#f4f0e4');
  brush.noStroke();
  brush.fillBleed(0.4);
  brush.fillTexture(0.35, 0.2);
  brush.fill('#b9d3e0', 110);
  brush.rect(-280, -280, 560, 330);

  // stem and leaf
  brush.noFill();
  brush.set('charcoal', '#4d6b2f', 2.2);
  brush.spline([[10, 40], [0, 150], [-25, 260]], 0.5);
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.45, 0.4);
  brush.fill('#5f8a3a', 200);
  brush.polygon([[-6, 190], [40, 150], [110, 122], [195, 118], [150, 160], [70, 185]]);
  brush.noFill();
  brush.set('2H', '#3d5a22', 0.7);
  brush.spline([[-4, 188], [80, 150], [185, 121]], 0.5);
  brush.noStroke();

  translate(15, -40);
  // back ring of petals, darker
  brush.set('HB', '#b5780f', 0.5);
  brush.fillBleed(0.25);
  brush.fillTexture(0.5, 0.5);
  for (let i = 0; i < 16; i++) ray(i * 22.5 + 11, 55, 120 + random(-12, 12), 42, '#e8a317', 210);
  // front ring, brighter
  for (let i = 0; i < 16; i++) ray(i * 22.5 + random(-4, 4), 50, 100 + random(-10, 10), 38, '#f7c936', 215);

  // seed disc
  brush.noStroke();
  brush.fillBleed(0.15);
  brush.fill('#7a4a1f', 240);
  brush.circle(0, 0, 70, 0.2);
  brush.fill('#5a3318', 230);
  brush.circle(2, 2, 60, 0.2);
  brush.fill('#3d2312', 230);
  brush.circle(4, 4, 44, 0.3);
  brush.fill('#2a170b', 220);
  brush.circle(4, 4, 26, 0.3);
  brush.noFill();
  brush.set('HB', '#2a170b', 0.8);
  brush.noStroke();
  brush.hatch(3.5, 20, {rand: 0.3});
  brush.hatchStyle('charcoal', '#5a3318', 0.8);
  brush.circle(0, 0, 60);
  brush.hatch(10, 45, {rand: 0.25});
  brush.hatchStyle('2B', '#2a170b', 0.6);
  brush.circle(0, 0, 62);
  brush.hatch(10, -45, {rand: 0.25});
  brush.circle(0, 0, 62);
  brush.noHatch();
  brush.set('charcoal', '#c98a2a', 1);
  brush.circle(0, 0, 66);
  brush.noHatch();
}
