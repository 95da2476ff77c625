// Two pink hibiscus blooms overlapping on a diagonal, one large and one smaller, with dark leaves and pencil edges.
function petal(angle, len, wid, col, op) {
  push();
  rotate(angle);
  brush.fill(col, op);
  brush.beginShape(0.6);
  brush.vertex(0, 0);
  brush.vertex(-wid * 0.55, -len * 0.5);
  brush.vertex(-wid * 0.45, -len * 0.9);
  brush.vertex(-wid * 0.1, -len);
  brush.vertex(wid * 0.2, -len * 0.94);
  brush.vertex(wid * 0.5, -len * 0.8);
  brush.vertex(wid * 0.55, -len * 0.4);
  brush.endShape(true);
  pop();
}

function flower(x, y, s, rot, light, dark) {
  push();
  translate(x, y);
  brush.set('HB', '#a33a62', 0.6);
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.5);
  for (let i = 0; i < 5; i++) petal(i * 72 + rot, 150 * s, 125 * s, light, 215);
  brush.noStroke();
  brush.fillBleed(0.15);
  for (let i = 0; i < 5; i++) petal(i * 72 + rot + 6, 90 * s, 65 * s, dark, 170);
  brush.noFill();
  brush.set('pen', '#e2b04a', 2);
  brush.line(0, 0, 45 * s, -110 * s);
  brush.set('charcoal', '#f0c24a', 1.5);
  for (let k = 0; k < 5; k++) brush.circle(45 * s + random(-10, 10), -112 * s + random(-10, 8), 4);
  pop();
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f7f2ea');
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.45, 0.35);
  brush.fill('#3e6b45', 200);
  brush.polygon([[-40, 40], [-210, 90], [-250, 150], [-130, 120]]);
  brush.fill('#2f5a3a', 200);
  brush.polygon([[120, 0], [230, -120], [250, -200], [170, -110]]);
  brush.fill('#557f4e', 180);
  brush.polygon([[60, 160], [140, 230], [60, 250], [30, 200]]);

  flower(-50, -30, 1.15, 20, '#f08db2', '#d94f86');
  flower(120, 120, 0.7, 50, '#f6a9c6', '#e0689a');
}
